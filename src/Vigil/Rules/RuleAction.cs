namespace Vigil.Rules;

/// <summary>What a rule does to a transaction it matches.</summary>
/// <remarks>An allow rule wins over everything (rules and model); a flag wins over review.</remarks>
public enum RuleAction
{
    /// <summary>The transaction is fraud: it goes to the fraud stream.</summary>
    Flag,

    /// <summary>The transaction goes on as legitimate, marked <c>"review":true</c> for an analyst to look at.</summary>
    Review,

    /// <summary>The transaction is legitimate whatever the other rules and the model say (an allow list).</summary>
    Allow,
}

/// <summary>Names of rule actions as the rules file writes them.</summary>
public static class RuleActions
{
    public static string Name(this RuleAction action) => action switch
    {
        RuleAction.Flag => "flag",
        RuleAction.Review => "review",
        RuleAction.Allow => "allow",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static bool TryParse(string? text, out RuleAction action)
    {
        foreach (var candidate in Enum.GetValues<RuleAction>())
        {
            if (string.Equals(text, candidate.Name(), StringComparison.OrdinalIgnoreCase))
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }
}
