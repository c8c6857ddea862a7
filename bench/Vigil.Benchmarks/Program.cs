using BenchmarkDotNet.Running;
using Vigil.Benchmarks;

// pipeline: end-to-end throughput; latency: decision latency at a paced rate; kafka: Kafka mode against Python and kcat;
// anything else: BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "pipeline" => await PipelineBenchmark.ThroughputAsync(args[1..]),
    "latency" => await PipelineBenchmark.LatencyAsync(args[1..]),
    "kafka" => await KafkaBenchmark.RunAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RecordBenchmarks).Assembly).Run(args);
    return 0;
}
