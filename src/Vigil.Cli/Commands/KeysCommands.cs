using System.CommandLine;
using System.Security.Cryptography;
using Vigil.Web.Security;

namespace Vigil.Cli.Commands;

/// <summary><c>vigil keys new ROLE</c>: a fresh API key, with the lines that give it to a server.</summary>
public static class KeysCommands
{
    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var role = new Argument<string>("ROLE") { Description = "score (POST /v1/score, /invocations), view (the dashboard, /events, /api/status, /v1/model, /metrics), analyst (what view may, and the review queue: /api/cases) or admin (everything)" };
        var name = new Option<string?>("--name") { Description = "Who holds the key (letters, digits, . _ - @): the audit trail records it for what the key does, e.g. an analyst's decisions", HelpName = "NAME" };
        var create = new Command("new", """
            Make a random API key (24 bytes, 48 hex digits) for a role and print it once, with the entry for
            VIGIL_API_KEYS (role=key, comma-separated) and the line for an --api-keys-file, which holds only its SHA-256
            hash: a server given the file can check the key without keeping it. Give the key to its client, which sends
            it as Authorization: Bearer KEY or X-API-Key: KEY; a browser signs in at /login.
            """) { role, name };
        create.SetAction(async parsed =>
        {
            ApiIdentity chosen;
            try
            {
                var holder = parsed.GetValue(name);
                chosen = ApiKeys.ParseIdentity(holder is null ? parsed.GetValue(role) ?? string.Empty : $"{parsed.GetValue(role)}:{holder}", holder is null ? "ROLE" : "ROLE --name");
            }
            catch (FormatException e)
            {
                await context.Error.WriteLineAsync($"vigil: {e.Message}");
                return ExitCodes.Usage;
            }

            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            await context.Out.WriteLineAsync($"key (shown once; give it to the client): {key}");
            await context.Out.WriteLineAsync($"VIGIL_API_KEYS entry:                   {chosen}={key}");
            await context.Out.WriteLineAsync($"--api-keys-file line (no secret in it): {ApiKeys.HashedLine(chosen, key)}");
            return ExitCodes.Success;
        });
        return new Command("keys", "API keys for the web servers (vigil serve, the dashboard).") { create };
    }
}
