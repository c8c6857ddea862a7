using System.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Vigil.Web.Metrics;

/// <summary>
/// One service's <c>/metrics</c> in Prometheus's text format: its own registry (no process-wide default, so two servers
/// in one process do not mix), filled at each scrape from the counters the service keeps (its status, its summary, a
/// decision's score bucket). Nothing goes through Prometheus's client per record or per request: that cost is the scrape's.
/// </summary>
public sealed class ServiceMetrics
{
    private readonly CollectorRegistry _registry = Prometheus.Metrics.NewCustomRegistry();
    private readonly MetricFactory _factory;
    private readonly List<Action> _updates = [];
    private long _scrapes;

    /// <param name="service">The command: demo, serve, dashboard, detect, features or alert (label <c>service</c> of <c>vigil_build_info</c>).</param>
    public ServiceMetrics(string service)
    {
        _factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        _factory.CreateGauge("vigil_build_info", "Vigil's version and the command serving these metrics", ["version", "service"])
            .WithLabels(Scoring.ScoringServer.Version, service).Set(1);
        AddProcess();
        _registry.AddBeforeCollectCallback(() =>
        {
            lock (_updates)
            {
                _scrapes++;
                foreach (var update in _updates)
                {
                    update();
                }
            }
        });
    }

    /// <summary>A counter read at each scrape: one series per label values given (it only goes up; a value below the last is ignored).</summary>
    public void Counter(string name, string help, string[] labels, Func<IEnumerable<(string[] Labels, double Value)>> read)
    {
        var counter = _factory.CreateCounter(name, help, labels);
        OnScrape(() =>
        {
            foreach (var (values, value) in read())
            {
                counter.WithLabels(values).IncTo(value);
            }
        });
    }

    public void Counter(string name, string help, Func<double> read)
    {
        var counter = _factory.CreateCounter(name, help);
        OnScrape(() => counter.IncTo(read()));
    }

    /// <summary>A gauge read at each scrape; series whose labels are no longer given are removed (an info metric's old version).</summary>
    public void Gauge(string name, string help, string[] labels, Func<IEnumerable<(string[] Labels, double Value)>> read)
    {
        var gauge = _factory.CreateGauge(name, help, labels);
        var shown = new HashSet<string>(StringComparer.Ordinal);
        OnScrape(() =>
        {
            var now = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (values, value) in read())
            {
                gauge.WithLabels(values).Set(value);
                now.Add(string.Join('\u001f', values));
            }

            foreach (var gone in shown.Except(now))
            {
                gauge.RemoveLabelled(gone.Split('\u001f'));
            }

            shown = now;
        });
    }

    public void Gauge(string name, string help, Func<double> read)
    {
        var gauge = _factory.CreateGauge(name, help);
        OnScrape(() => gauge.Set(read()));
    }

    /// <summary>
    /// A histogram whose counts the service keeps itself: at each scrape, what each range gained since the last one is
    /// observed at the range's upper bound, past the last bound at the largest recorded (so the sum is an upper bound too).
    /// </summary>
    /// <param name="read">
    /// Recordings in each range the bounds divide (the last past every bound), and the largest recorded; null while
    /// there is nothing to read. Each range may only grow from one scrape to the next: read each of the source's counts once.
    /// </param>
    public void Histogram(string name, string help, double[] bounds, Func<(long[] Counts, double Max)?> read)
    {
        ArgumentNullException.ThrowIfNull(bounds);
        ArgumentNullException.ThrowIfNull(read);
        var histogram = _factory.CreateHistogram(name, help, new HistogramConfiguration { Buckets = bounds });
        var observed = new long[bounds.Length + 1];
        OnScrape(() =>
        {
            if (read() is not { } now)
            {
                return;
            }

            for (var i = 0; i <= bounds.Length; i++)
            {
                if (now.Counts[i] > observed[i])
                {
                    histogram.Observe(i < bounds.Length ? bounds[i] : Math.Max(now.Max, bounds[^1]), now.Counts[i] - observed[i]);
                    observed[i] = now.Counts[i];
                }
            }
        });
    }

    /// <summary>Reads <paramref name="read"/> once a scrape however many metrics use it (a pipeline's status merges its workers' counts).</summary>
    public Func<T> OncePerScrape<T>(Func<T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var at = -1L;
        T last = default!;
        return () =>
        {
            if (at != _scrapes)
            {
                last = read();
                at = _scrapes;
            }

            return last;
        };
    }

    /// <summary>Serves <c>GET /metrics</c> on the application.</summary>
    public void Map(IEndpointRouteBuilder app) => app.MapMetrics("/metrics", _registry);

    /// <summary>The exposition as a scrape gets it (tests; <c>vigil</c>'s own checks).</summary>
    public async Task<string> ScrapeAsync(CancellationToken cancellationToken = default)
    {
        using var text = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(text, cancellationToken);
        return System.Text.Encoding.UTF8.GetString(text.ToArray());
    }

    private void OnScrape(Action update)
    {
        lock (_updates)
        {
            _updates.Add(update);
        }
    }

    private void AddProcess()
    {
        var process = Process.GetCurrentProcess();
        var started = new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        Gauge("process_start_time_seconds", "When the process started, in Unix seconds", () => started);
        Counter("process_cpu_seconds_total", "CPU time the process has used, user and system, in seconds", () =>
        {
            process.Refresh();
            return process.TotalProcessorTime.TotalSeconds;
        });
        Gauge("process_resident_memory_bytes", "The process's resident memory", () => process.WorkingSet64);
        Gauge("dotnet_total_memory_bytes", "Bytes the garbage collector's heap holds", () => GC.GetTotalMemory(forceFullCollection: false));
        Counter("dotnet_collection_count_total", "Garbage collections by generation", ["generation"],
            () => Enumerable.Range(0, GC.MaxGeneration + 1).Select(g => (new[] { g.ToString(System.Globalization.CultureInfo.InvariantCulture) }, (double)GC.CollectionCount(g))));
    }
}
