using Vigil.Cli.Configuration;
using Vigil.Features;
using Vigil.Rules;
using Vigil.Runtime.Rules;

namespace Vigil.Cli.Rules;

/// <summary>
/// The detector's rules: the built-in amount rule, or a rules file (<c>--rules</c>) loaded at start and then polled
/// with its list files; a change that compiles is swapped in through <see cref="LiveRules"/>.
/// </summary>
public sealed class RuleFiles
{
    private readonly string? _path;
    private IReadOnlyList<string> _watched;
    private (DateTime, long)[] _stamps;

    private RuleFiles(string? path, RulesDocument? document, RuleSet initial)
    {
        _path = path;
        Document = document;
        Initial = initial;
        _watched = path is null ? [] : [path, .. document!.Files];
        _stamps = [.. _watched.Select(FilePoller.Stamp)];
    }

    /// <summary>The rule set at start.</summary>
    public RuleSet Initial { get; }

    /// <summary>The rules file as loaded at start; null for the built-in rule.</summary>
    public RulesDocument? Document { get; }

    /// <summary>Loads <c>--rules</c> against the pipeline's features, or makes the built-in rule; a bad file is a usage error.</summary>
    public static RuleFiles Open(string? path, double amountThreshold, bool thresholdGiven, FeatureSet features)
    {
        if (path is null)
        {
            return new RuleFiles(null, null, RuleSet.AmountThreshold(amountThreshold));
        }

        if (thresholdGiven)
        {
            throw new UsageException("--threshold sets the built-in amount rule, which --rules replaces: write 'amount >= N' in the rules file instead");
        }

        try
        {
            var document = RulesDocument.Load(path, features);
            return new RuleFiles(path, document, document.RuleSet);
        }
        catch (RulesFileException e)
        {
            throw new UsageException($"invalid rules: {e.Message}");
        }
    }

    /// <summary>Describes the rules for a header line.</summary>
    public string Describe() => Document is null
        ? $"rule {Initial.Rules[0].Expression}"
        : $"rules {Path.GetFileName(_path)} ({Initial.Rules.Count} of {Document.Definitions.Count} enabled, version {Initial.Version})";

    /// <summary>Polls the rules file and its lists until stopped, offering each change to <paramref name="live"/>.</summary>
    public Task WatchAsync(LiveRules live, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(live);
        return _path is null ? Task.CompletedTask : FilePoller.PollAsync(() => Check(live), stop);
    }

    /// <summary>One poll: offers the file when it or one of its lists changed.</summary>
    public void Check(LiveRules live)
    {
        ArgumentNullException.ThrowIfNull(live);
        if (_path is null)
        {
            return;
        }

        var stamps = _watched.Select(FilePoller.Stamp).ToArray();
        if (stamps.SequenceEqual(_stamps))
        {
            return;
        }

        _stamps = stamps;
        RulesDocument? loaded = null;
        live.Offer(features => loaded = RulesDocument.Load(_path, features), Path.GetFileName(_path));
        if (loaded is not null && !loaded.Files.SequenceEqual(_watched.Skip(1)))
        {
            _watched = [_path, .. loaded.Files];
            _stamps = [.. _watched.Select(FilePoller.Stamp)];
        }
    }
}
