using Vigil.Features;
using Vigil.Learning.Data;
using Vigil.Simulation.Datasets.Replay;

namespace Vigil.Learning.Tests.Data;

public sealed class TrainingSetReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-reader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_compromised_terminal_s_frauds_are_marked_in_the_first_week_of_each_of_its_compromises()
    {
        // Terminal 7 is compromised on day 0 and again on day 30 (more than 28 days later); terminal 9 on day 10.
        var path = Path.Combine(_directory, "compromises.csv");
        File.WriteAllLines(path,
        [
            "transaction_id,timestamp,customer_id,terminal_id,amount,fraud,fraud_scenario",
            "1,2018-04-01T10:00:00Z,1,7,20,1,2", // day 0: the compromise starts
            "2,2018-04-02T10:00:00Z,2,7,300,1,1", // an amount over 220, not a compromised terminal's fraud
            "3,2018-04-04T10:00:00Z,3,7,25,1,2", // day 3
            "4,2018-04-08T09:59:59Z,4,7,30,1,2", // 7 days less a second
            "5,2018-04-08T10:00:00Z,5,7,35,1,2", // 7 days: the second week
            "6,2018-04-11T10:00:00Z,6,9,40,1,2", // terminal 9's first
            "7,2018-04-12T10:00:00Z,7,7,45,0,0", // genuine
            "8,2018-05-01T10:00:00Z,8,7,50,1,2", // day 30: a new compromise of terminal 7
            "9,2018-05-02T10:00:00Z,9,,55,1,2", // no terminal: no compromise to be in the first week of
        ]);
        using var source = ReplaySource.Open(new ReplayOptions { Path = path });

        var rows = new TrainingSetReader(source, FeatureSet.Vigil, TimeSpan.FromDays(7)).Read(["amount"]);

        Assert.Equal([2, 1, 2, 2, 2, 2, 0, 2, 2], rows.Scenarios!.Select(s => (int)s));
        Assert.Equal([true, false, true, true, false, true, false, true, false], rows.FirstWeek!);
    }

    [Fact]
    public void A_file_without_scenarios_marks_no_first_week()
    {
        var path = Path.Combine(_directory, "plain.csv");
        File.WriteAllLines(path, ["transaction_id,timestamp,customer_id,terminal_id,amount,fraud", "1,2018-04-01T10:00:00Z,1,7,20,1", "2,2018-04-01T11:00:00Z,1,7,20,0"]);
        using var source = ReplaySource.Open(new ReplayOptions { Path = path });

        var rows = new TrainingSetReader(source, FeatureSet.Vigil, TimeSpan.FromDays(7)).Read(["amount"]);

        Assert.Null(rows.Scenarios);
        Assert.Null(rows.FirstWeek);
    }
}
