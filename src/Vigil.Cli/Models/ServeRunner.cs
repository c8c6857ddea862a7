using Microsoft.Extensions.Logging;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Cli.Logging;
using Vigil.Cli.Rules;
using Vigil.Cli.Terminal;
using Vigil.Models;
using Vigil.Runtime.Rules;
using Vigil.Web.Metrics;
using Vigil.Web.Scoring;

namespace Vigil.Cli.Models;

/// <summary><c>vigil serve --model MODEL.json --port 5000</c>: the model behind MLflow's /invocations and Vigil's /v1/score.</summary>
public sealed class ServeRunner(LayeredConfiguration configuration, IAnsiConsole console, ILoggerFactory logs)
{
    public async Task<int> RunAsync(CancellationToken stop)
    {
        var read = new SettingReader(configuration);
        var path = read.OptionalText("Model:Path") ?? throw new UsageException("vigil serve needs --model MODEL.json (train one with vigil train)");
        var port = read.WholeNumber("Serve:Port", 5000, 0, 65535);
        var host = read.Text("Serve:Host", "127.0.0.1");
        var security = WebSecuritySettings.Read(configuration);
        var files = ModelFiles.Open(new Vigil.Detection.DetectorOptions { Model = path }, OnnxOptions.Read(configuration))!;
        var features = files.Current.Primary.Features;

        // Rules see the features the server computes: the model's own.
        var ruleFiles = read.OptionalText("Detector:Rules") is { } rulesPath ? RuleFiles.Open(rulesPath, 0, thresholdGiven: false, features) : null;
        var liveRules = ruleFiles is null ? null : new LiveRules(ruleFiles.Initial, features, _ => { }, logs.CreateLogger(LogCategories.Rules));
        var options = new ScoringOptions
        {
            SuppliedFeatures = read.Flag("Serve:SuppliedFeatures", false),
            MaxClockSkew = read.Duration("Serve:MaxClockSkew", new ScoringOptions().MaxClockSkew),
            Limits = VigilSettings.ReadLimits(read),
        };
        using var scorer = new TransactionScorer(files.Current.Primary, rules: liveRules is null ? null : () => liveRules.Current, options: options);
        ScoringServer server;
        try
        {
            server = new ScoringServer(host, port, scorer, read.List("Serve:AllowedHosts"), new ForwardingLogProvider(logs), security, new ServiceMetrics("serve"));
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"{configuration.Origin("Serve:Host")} {host}: {e.Message}");
        }

        await using (server)
        {
            try
            {
                await server.StartAsync(stop);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"vigil: cannot serve on {host}:{port}: {e.Message} (choose another --port)");
                return 1;
            }

            var model = scorer.Model;
            console.MarkupLine(Markup.Escape($"Vigil serve · model {model.Version} ({model.Kind.Name()}, threshold {model.Threshold:G4}) · {server.Address}"));
            Summary.TextRow(console, "invocations", $"POST {server.Address}invocations  (MLflow: columns/data, dataframe_split, dataframe_records, instances, inputs)");
            Summary.TextRow(console, "score", $"POST {server.Address}v1/score  (one transaction JSON → fraud, score, reasons, model version)");
            Summary.TextRow(console, "columns", string.Join(", ", scorer.Columns.Simple));
            Summary.TextRow(console, "access", security.Describe());
            if (ruleFiles is not null)
            {
                Summary.TextRow(console, "rules", $"{ruleFiles.Describe()}; /v1/score applies them before the model, and editing the file swaps them");
            }

            Summary.TextRow(console, "reload", $"replacing {Path.GetFullPath(path)} swaps the model; Ctrl+C stops");
            var rulesWatcher = ruleFiles is null ? Task.CompletedTask : ruleFiles.WatchAsync(liveRules!, stop);
            await files.WatchAsync(null, m => scorer.Swap(m.Primary), logs.CreateLogger(LogCategories.Models), stop);
            await rulesWatcher;
            await server.StopAsync(CancellationToken.None);
        }

        console.MarkupLine($"[bold]Vigil serve stopped[/] · {files.Swaps} model updates swapped in, {files.Rejected} rejected");
        return 0;
    }
}
