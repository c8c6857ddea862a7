using System.Collections;
using Vigil.Cli.Configuration;
using Vigil.Simulation;

namespace Vigil.Cli.Tests.Configuration;

public sealed class LayeredConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vigil-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string ConfigFile(string json)
    {
        var path = Path.Combine(_directory, "vigil.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Dictionary<string, (string, string)> Flags(params (string Key, string Flag, string Value)[] flags) =>
        flags.ToDictionary(f => f.Key, f => (f.Flag, f.Value), StringComparer.OrdinalIgnoreCase);

    private static VigilSettings Settings(string? file, IDictionary environment, Dictionary<string, (string, string)> flags) =>
        VigilSettings.Read(LayeredConfiguration.Build(file, environment, flags));

    [Fact]
    public void Defaults_are_the_seed_tutorials_names_and_rate_with_the_simulator_profile()
    {
        var settings = Settings(null, new Hashtable(), Flags());

        Assert.Equal("queueing.transactions", settings.Topics.Transactions);
        Assert.Equal("streaming.transactions.legit", settings.Topics.Legit);
        Assert.Equal("streaming.transactions.fraud", settings.Topics.Fraud);
        Assert.Equal(1000, settings.Generator.RatePerSecond);
        Assert.Equal(GeneratorProfile.Simulator, settings.Generator.Profile);
        Assert.Null(settings.Detector.AmountThreshold);
        Assert.Equal(220, settings.AmountThresholdFor(GeneratorProfile.Simulator));
        Assert.Equal(900, settings.AmountThresholdFor(GeneratorProfile.Seed));
        Assert.Equal(900, settings.AmountThresholdFor(null));
        Assert.Equal(TimeSpan.FromDays(7), settings.LabelDelay);
        Assert.Equal(183, settings.Simulator.Days);
        Assert.Equal("queueing.labels", settings.Topics.Labels);
        Assert.Equal(8080, settings.Dashboard.Port);
        Assert.Equal("127.0.0.1", settings.Dashboard.Host);
        Assert.Null(settings.Duration);
    }

    [Fact]
    public void Flags_beat_seed_variables_which_beat_vigil_variables_which_beat_the_file()
    {
        var file = ConfigFile("""{"Generator": {"Rate": "10"}, "Topics": {"Legit": "file.legit", "Fraud": "file.fraud", "Transactions": "file.tx"}, "Dashboard": {"Port": 9001}}""");
        var environment = new Hashtable
        {
            ["VIGIL_GENERATOR__RATE"] = "20",
            ["VIGIL_TOPICS__LEGIT"] = "vigil.legit",
            ["VIGIL_TOPICS__FRAUD"] = "vigil.fraud",
            ["TRANSACTIONS_PER_SECOND"] = "30",
            ["FRAUD_TOPIC"] = "seed.fraud",
            ["PATH"] = "/usr/bin",
        };

        var settings = Settings(file, environment, Flags(("Generator:Rate", "--rate", "40")));

        Assert.Equal(40, settings.Generator.RatePerSecond);
        Assert.Equal("seed.fraud", settings.Topics.Fraud);
        Assert.Equal("vigil.legit", settings.Topics.Legit);
        Assert.Equal("file.tx", settings.Topics.Transactions);
        Assert.Equal(9001, settings.Dashboard.Port);

        var withoutFlag = Settings(file, environment, Flags());
        Assert.Equal(30, withoutFlag.Generator.RatePerSecond);
        environment.Remove("TRANSACTIONS_PER_SECOND");
        Assert.Equal(20, Settings(file, environment, Flags()).Generator.RatePerSecond);
        environment.Remove("VIGIL_GENERATOR__RATE");
        Assert.Equal(10, Settings(file, environment, Flags()).Generator.RatePerSecond);
    }

    [Fact]
    public void Rate_max_means_unthrottled()
    {
        Assert.Null(Settings(null, new Hashtable { ["TRANSACTIONS_PER_SECOND"] = "MAX" }, Flags()).Generator.RatePerSecond);
    }

    [Theory]
    [InlineData("Generator:Rate", "--rate", "abc", "invalid --rate 'abc': expected a positive number of transactions per second, or 'max'")]
    [InlineData("Generator:Rate", "--rate", "0", "invalid --rate '0'")]
    [InlineData("Demo:Duration", "--duration", "-1", "invalid --duration '-1': expected a positive number of seconds")]
    [InlineData("Dashboard:Port", "--port", "70000", "invalid --port '70000': expected a whole number from 0 to 65,535")]
    [InlineData("Dashboard:Host", "--host", "example.com", "invalid --host 'example.com'")]
    [InlineData("Pipeline:Partitions", "--partitions", "0", "invalid --partitions '0'")]
    [InlineData("Detector:AmountThreshold", "--threshold", "-5", "invalid --threshold '-5'")]
    [InlineData("Generator:Seed", "--seed", "x1", "invalid --seed 'x1'")]
    [InlineData("Generator:Count", "--count", "0", "invalid --count '0'")]
    public void A_bad_flag_value_names_the_flag(string key, string flag, string value, string expected)
    {
        var error = Assert.Throws<UsageException>(() => Settings(null, new Hashtable(), Flags((key, flag, value))));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_bad_environment_value_names_the_variable()
    {
        var seed = Assert.Throws<UsageException>(() => Settings(null, new Hashtable { ["TRANSACTIONS_PER_SECOND"] = "fast" }, Flags()));
        var vigil = Assert.Throws<UsageException>(() => Settings(null, new Hashtable { ["VIGIL_Dashboard__Port"] = "http" }, Flags()));

        Assert.StartsWith("invalid TRANSACTIONS_PER_SECOND 'fast'", seed.Message, StringComparison.Ordinal);
        Assert.StartsWith("invalid VIGIL_DASHBOARD__PORT 'http'", vigil.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_file_value_names_the_setting_and_the_file()
    {
        var file = ConfigFile("""{"Detector": {"AmountThreshold": "lots"}}""");

        var error = Assert.Throws<UsageException>(() => Settings(file, new Hashtable(), Flags()));

        Assert.Equal($"invalid Detector:AmountThreshold in {file} 'lots': expected an amount of 0 or more", error.Message);
    }

    [Fact]
    public void A_missing_or_broken_config_file_is_a_usage_error()
    {
        var missing = Assert.Throws<UsageException>(() => Settings(Path.Combine(_directory, "nope.json"), new Hashtable(), Flags()));
        var broken = Assert.Throws<UsageException>(() => Settings(ConfigFile("{ not json"), new Hashtable(), Flags()));

        Assert.EndsWith("nope.json not found", missing.Message, StringComparison.Ordinal);
        Assert.Contains("is not valid JSON", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_must_have_different_names()
    {
        var error = Assert.Throws<UsageException>(() => Settings(null, new Hashtable { ["LEGIT_TOPIC"] = "same", ["FRAUD_TOPIC"] = "same" }, Flags()));

        Assert.StartsWith("topic names must differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_internal_topics_are_named_in_the_file_or_the_environment_and_must_differ_from_the_others()
    {
        var file = ConfigFile("""{"Topics": {"Repartition": "file.repartition", "FeatureState": "file.state"}}""");

        var settings = Settings(file, new Hashtable { ["VIGIL_TOPICS__STATUS"] = "ops.status" }, Flags());

        Assert.Equal(("file.repartition", "file.state", "ops.status"), (settings.Topics.Repartition, settings.Topics.FeatureState, settings.Topics.Status));
        Assert.Equal("vigil.status", Settings(null, new Hashtable(), Flags()).Topics.Status);
        var error = Assert.Throws<UsageException>(() => Settings(null, new Hashtable { ["VIGIL_TOPICS__STATUS"] = "queueing.transactions" }, Flags()));
        Assert.StartsWith("topic names must differ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_must_not_be_an_existing_file()
    {
        var file = ConfigFile("{}");

        var error = Assert.Throws<UsageException>(() => Settings(null, new Hashtable(), Flags(("Output:Directory", "--out", file))));

        Assert.Contains("it is a file, expected a directory", error.Message, StringComparison.Ordinal);
    }
}
