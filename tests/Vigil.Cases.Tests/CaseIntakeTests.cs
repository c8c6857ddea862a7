using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Runtime.Topics;
using Vigil.Store;
using Vigil.Store.Cases;
using Vigil.Testing;

namespace Vigil.Cases.Tests;

public sealed class CaseIntakeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-cases-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Every_alert_of_a_stream_is_filed_in_one_case_per_card_and_nothing_else_is()
    {
        await using var desk = await ReviewDesk.StartAsync(_directory);

        var cases = desk.Review.List(new CaseQuery(Limit: 500)).Cases;
        Assert.True(desk.Frauds > 20, $"the stream flagged {desk.Frauds}");
        Assert.Equal(desk.Frauds, desk.Intake.Filed);
        Assert.Equal(desk.Frauds, cases.Sum(c => c.Alerts));
        Assert.Equal(cases.Count, desk.Intake.Opened);
        Assert.Equal(cases.Count, cases.Select(c => c.Card).Distinct().Count()); // one open case per card
        Assert.Contains(cases, c => c.Alerts > 1);
        Assert.Equal((0, 0), (desk.Intake.Unreadable, desk.Intake.NotFiled));
        var detail = desk.Review.Find(cases[0].Id)!;
        Assert.All(detail.Alerts, a => Assert.True(a.Amount >= 220 && a.Score >= 0 && a.TransactionId is not null));
        Assert.All(detail.Alerts, a => Assert.Contains("amount >= 220", a.Reasons.Single().Text, StringComparison.Ordinal));
        Assert.Equal(cases[0].Priority, detail.Alerts.Max(a => a.Score));
    }

    [Fact]
    public async Task Records_that_are_not_decisions_are_counted_and_passed_over_and_the_alerts_after_them_are_filed()
    {
        var broker = new EmbeddedBroker();
        var fraud = broker.CreateTopic("fraud", 1);
        using var database = VigilDatabase.Open(_directory);
        var store = new CaseStore(database, "hostile");
        var intake = new CaseIntake(fraud, store, NullLogger.Instance);
        var reading = intake.RunAsync();
        var producer = fraud.CreateProducer();
        foreach (var (_, value, _) in BrokenRecords.All)
        {
            producer.Append([], value);
        }

        producer.Append([], Encoding.UTF8.GetBytes("""{"amount": 5, "vigil": "not an object"}"""));
        producer.Append([], Encoding.UTF8.GetBytes("""{"transaction_id": 9, "customer_id": 4, "timestamp": "not a time", "amount": 250, "vigil": {"fraud": true, "score": 1, "reasons": [{"code": "rule", "text": "<b>amount</b>"}]}}"""));
        producer.Append([], Encoding.UTF8.GetBytes("""{"transaction_id": 10, "customer_id": 4, "timestamp": "2018-04-02T10:00:00Z", "amount": 300, "vigil": {"fraud": true, "score": 0.9, "reasons": "not an array"}}"""));
        await producer.FlushAsync();
        fraud.Complete();
        await reading.WaitAsync(TimeSpan.FromSeconds(30));

        // Some records of the corpus carry a decision beside their damage: those are alerts, and filed.
        var decided = BrokenRecords.All.Count(r => CaseIntake.Read(r.Value) is not null);
        Assert.Equal(BrokenRecords.All.Count + 1 - decided, intake.Unreadable);
        Assert.Equal(decided + 2, intake.Filed);
        var card = store.Queue(new CaseQuery()).Cases.Single(c => c.Card == "4");
        var filed = store.Find(card.Id)!;
        Assert.Equal(["9", "10"], filed.Alerts.Select(a => a.TransactionId).Order().Reverse());
        Assert.Equal("<b>amount</b>", filed.Alerts.Single(a => a.TransactionId == "9").Reasons.Single().Text); // kept as text; the page writes it as text
    }
}
