using System.Globalization;
using Spectre.Console;
using Vigil.Cases;

namespace Vigil.Cli.Terminal;

/// <summary>The end-of-run line about cases: the alerts filed, the cases they opened, the verdicts given, and where they are kept.</summary>
public static class CaseSummaryLine
{
    public static void Print(IAnsiConsole console, CaseIntake intake, CaseReview review, LabelVerdicts? verdicts)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(intake);
        ArgumentNullException.ThrowIfNull(review);
        var c = CultureInfo.InvariantCulture;
        var counts = review.List(new(Limit: 1)).Counts;
        var (fraud, genuine) = review.Given;
        var line = string.Create(c, $"{intake.Filed:N0} alerts filed in {intake.Opened:N0} cases · {counts.Open:N0} open · verdicts this run: {fraud:N0} fraud, {genuine:N0} genuine");
        if (verdicts is { Written: > 0 } || verdicts is { Refused: > 0 })
        {
            line += string.Create(c, $" ({verdicts.Written:N0} labels written at once{(verdicts.Refused > 0 ? $", {verdicts.Refused:N0} not: the stream had ended" : string.Empty)})");
        }

        if (intake.NotFiled > 0 || intake.Unreadable > 0)
        {
            line += string.Create(c, $" · {intake.NotFiled:N0} alerts the database refused, {intake.Unreadable:N0} records not decisions");
        }

        Summary.TextRow(console, "cases", line);
        Summary.TextRow(console, string.Empty, $"kept in {review.Store.Location}; list them with vigil cases");
    }
}
