using System.CommandLine;

namespace Vigil.Cli.Commands;

/// <summary>
/// <c>vigil probe [URL]</c>: asks a Vigil service's probe and exits 0 when it answers 2xx, else 1 with one line: the
/// health check of a container image that has no curl (the Dockerfile's HEALTHCHECK, docker-compose's healthcheck).
/// </summary>
public static class ProbeCommand
{
    public const string DefaultUrl = "http://127.0.0.1:9464/healthz";
    public const string UrlVariable = "VIGIL_PROBE_URL";

    public static Command Create(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var url = new Argument<string?>("URL") { Description = $"The probe to ask [env: {UrlVariable}] [default: {DefaultUrl}, vigil detect --metrics-port 9464's]", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the answer [default: 5]", HelpName = "SECONDS", DefaultValueFactory = _ => 5 };
        var command = new Command("probe", """
            Ask a running service's probe, exit 0 on 2xx (container health checks). It asks /healthz (alive) or
            /readyz (ready to work) of a running Vigil service; anything but 2xx exits 1 with the reason on one line.
            For container images with no curl: the image's HEALTHCHECK runs it against VIGIL_PROBE_URL.
            """) { url, timeout };
        command.SetAction(async (parsed, cancellation) =>
        {
            var given = parsed.GetValue(url) ?? context.Environment[UrlVariable] as string ?? DefaultUrl;
            if (!Uri.TryCreate(given, UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                await context.Error.WriteLineAsync($"vigil: invalid probe URL '{given}': expected an http:// or https:// URL such as {DefaultUrl}");
                return ExitCodes.Usage;
            }

            if (parsed.GetValue(timeout) is var seconds && seconds is < 1 or > 300)
            {
                await context.Error.WriteLineAsync($"vigil: invalid --timeout '{seconds}': expected a whole number of seconds from 1 to 300");
                return ExitCodes.Usage;
            }

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(seconds) };
            try
            {
                using var response = await client.GetAsync(target, cancellation);
                var body = await response.Content.ReadAsStringAsync(cancellation);
                var shown = body.Length > 200 ? body[..200] + "…" : body;
                if (response.IsSuccessStatusCode)
                {
                    await context.Out.WriteLineAsync($"{target}: {(int)response.StatusCode} {shown.Trim()}");
                    return ExitCodes.Success;
                }

                await context.Error.WriteLineAsync($"vigil: {target} answered {(int)response.StatusCode}: {shown.Trim()}");
                return ExitCodes.Failure;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                await context.Error.WriteLineAsync($"vigil: {target} did not answer: {(e is TaskCanceledException ? $"no answer within {seconds} s" : e.Message)}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
