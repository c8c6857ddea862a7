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
        var role = new Argument<string>("ROLE") { Description = "score (POST /v1/score, /invocations), view (the dashboard, /events, /api/status, /v1/model, /metrics) or admin (everything)" };
        var create = new Command("new", """
            Make a random API key (24 bytes, 48 hex digits) for a role and print it once, with the entry for
            VIGIL_API_KEYS (role=key, comma-separated) and the line for an --api-keys-file, which holds only its SHA-256
            hash: a server given the file can check the key without keeping it. Give the key to its client, which sends
            it as Authorization: Bearer KEY or X-API-Key: KEY; a browser signs in at /login.
            """) { role };
        create.SetAction(async parsed =>
        {
            ApiRole chosen;
            try
            {
                chosen = ApiKeys.ParseRole(parsed.GetValue(role) ?? string.Empty, "ROLE");
            }
            catch (FormatException e)
            {
                await context.Error.WriteLineAsync($"vigil: {e.Message}");
                return ExitCodes.Usage;
            }

            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            var name = ApiAccess.Name(chosen);
            await context.Out.WriteLineAsync($"key (shown once; give it to the client): {key}");
            await context.Out.WriteLineAsync($"VIGIL_API_KEYS entry:                   {name}={key}");
            await context.Out.WriteLineAsync($"--api-keys-file line (no secret in it): {ApiKeys.HashedLine(chosen, key)}");
            return ExitCodes.Success;
        });
        return new Command("keys", "API keys for the web servers (vigil serve, the dashboard).") { create };
    }
}
