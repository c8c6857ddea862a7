namespace Vigil.Cli.Configuration;

/// <summary>
/// Whether the demo and replay file their alerts as cases for review (<c>--cases</c>; in Vigil's database, with the
/// models: <c>--data-dir</c>, <c>--database</c>), the review team's capacity, in cases a day (<c>--review-capacity</c>),
/// and how many cases simulated investigators decide a day (<c>--investigators</c>; 0 for none).
/// </summary>
public sealed record CaseSettings(bool Enabled, int? Capacity, int Investigators = 0)
{
    public static CaseSettings Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var capacity = read.OptionalCount("Cases:Capacity", "a whole number of cases a day, 1 or more");
        if (capacity > 1_000_000)
        {
            throw new UsageException($"invalid {configuration.Origin("Cases:Capacity")} '{configuration["Cases:Capacity"]}': expected at most 1,000,000 cases a day");
        }

        var enabled = read.Flag("Cases:Enabled", true);
        var investigators = read.WholeNumber("Cases:Investigators", 0, 0, 500);
        if (investigators > 0 && !enabled)
        {
            throw new UsageException($"{configuration.Origin("Cases:Investigators")} reviews cases, and {configuration.Origin("Cases:Enabled")} is false: drop one of them");
        }

        return new CaseSettings(enabled, (int?)capacity, investigators);
    }
}
