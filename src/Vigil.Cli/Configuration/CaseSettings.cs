namespace Vigil.Cli.Configuration;

/// <summary>
/// Whether the demo and replay file their alerts as cases for review (<c>--cases</c>; in Vigil's database, with the
/// models: <c>--data-dir</c>, <c>--database</c>) and the review team's capacity, in cases a day (<c>--review-capacity</c>).
/// </summary>
public sealed record CaseSettings(bool Enabled, int? Capacity)
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

        return new CaseSettings(read.Flag("Cases:Enabled", true), (int?)capacity);
    }
}
