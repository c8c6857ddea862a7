using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Spectre.Console;
using Vigil.Cli.Configuration;
using Vigil.Kafka.Configuration;
using Vigil.Kafka.Sources;
using Vigil.Runtime.Pipeline;
using Vigil.Simulation.Pacing;
using Vigil.Simulation.Seed;

namespace Vigil.Cli.Services;

/// <summary><c>vigil generate --kafka</c>: the seed's transactions produced to the transactions topic until stopped.</summary>
public sealed class GenerateRunner(VigilSettings settings, KafkaOptions kafka, IAnsiConsole console, Action<string> log)
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(CancellationToken stop)
    {
        var seed = settings.Generator.Seed ?? BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var rate = settings.Generator.RatePerSecond;
        using var writer = await Task.Run(() => new KafkaRecordWriter(new KafkaClients(kafka, log), settings.Topics.Transactions));
        var pacer = rate is null ? Pacer.Unlimited : new Pacer(rate.Value, Stopwatch.Frequency, Stopwatch.GetTimestamp());
        var source = new GeneratorSource(new SeedTransactionGenerator(seed), pacer, writer, settings.Generator.Count ?? long.MaxValue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stop);
        if (settings.Duration is { } duration)
        {
            deadline.CancelAfter(duration);
        }

        var pace = rate is null ? "as fast as the brokers take them" : $"{rate.Value:N0} tx/s";
        console.MarkupLine($"[bold]Vigil generate[/] · {Markup.Escape(settings.Topics.Transactions)} on {Markup.Escape(kafka.BootstrapServers)} · {Markup.Escape(pace)} · Ctrl+C to stop");
        var clock = Stopwatch.StartNew();
        var running = source.RunAsync(deadline.Token);
        long previous = 0;
        var previousTime = TimeSpan.Zero;
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(StatusInterval, CancellationToken.None));
            if (!running.IsCompleted)
            {
                var written = writer.Written;
                var perSecond = (written - previous) / (clock.Elapsed - previousTime).TotalSeconds;
                (previous, previousTime) = (written, clock.Elapsed);
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{clock.Elapsed:hh\\:mm\\:ss}] {written:N0} written · {writer.Delivered:N0} acknowledged · {perSecond:N0} tx/s"));
            }
        }

        await running;
        console.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]Vigil generate finished[/] after {clock.Elapsed.TotalSeconds:N1} s: {writer.Written:N0} transactions written, {writer.Delivered:N0} acknowledged by the brokers; seed {seed}"));
        return 0;
    }
}
