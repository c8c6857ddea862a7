using BenchmarkDotNet.Running;
using Vigil.Benchmarks;

// pipeline: end-to-end throughput; latency: decision latency at a paced rate; anything else: BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "pipeline" => await PipelineBenchmark.ThroughputAsync(args[1..]),
    "latency" => await PipelineBenchmark.LatencyAsync(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RecordBenchmarks).Assembly).Run(args);
    return 0;
}
