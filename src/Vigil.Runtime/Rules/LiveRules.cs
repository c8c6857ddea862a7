using Microsoft.Extensions.Logging;
using Vigil.Features;
using Vigil.Rules;

namespace Vigil.Runtime.Rules;

/// <summary>
/// The rule set a running pipeline decides with, and every update offered to it (a rules file that changed, a message
/// on the control topic). An update that compiles is swapped in whole; one that does not is rejected with a line
/// saying why, and the rules already running go on deciding. Safe to offer updates from several threads.
/// </summary>
/// <param name="features">What the pipeline computes: an update naming another feature is rejected.</param>
/// <param name="swap">Hands a new rule set to the detectors (they pick it up between two records).</param>
public sealed class LiveRules(RuleSet initial, FeatureSet features, Action<RuleSet> swap, ILogger log)
{
    private readonly Lock _lock = new();

    public RuleSet Current { get; private set; } = initial ?? throw new ArgumentNullException(nameof(initial));

    public FeatureSet Features { get; } = features ?? throw new ArgumentNullException(nameof(features));

    /// <summary>Updates swapped in, and updates rejected, since start.</summary>
    public int Swaps { get; private set; }

    public int Rejected { get; private set; }

    /// <summary>Compiles an update with <paramref name="load"/> and swaps it in; returns whether it was.</summary>
    /// <param name="origin">Where the update came from, for the log (<c>rules.yaml</c>, <c>vigil.rules[0]@3</c>).</param>
    public bool Offer(Func<FeatureSet, RulesDocument> load, string origin)
    {
        ArgumentNullException.ThrowIfNull(load);
        lock (_lock)
        {
            RulesDocument document;
            try
            {
                document = load(Features);
            }
            catch (RulesFileException e)
            {
                Rejected++;
                log.RulesRejected(origin, e.Message, Current.Version);
                return false;
            }

            if (document.RuleSet.Version == Current.Version)
            {
                return false;
            }

            var before = Current;
            Current = document.RuleSet;
            Swaps++;
            swap(document.RuleSet);
            log.RulesSwapped(origin, before.Version, document.RuleSet.Version, document.RuleSet.Rules.Count);
            return true;
        }
    }
}
