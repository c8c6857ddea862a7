using BenchmarkDotNet.Running;
using Vigil.Benchmarks;

// pipeline: end-to-end throughput; latency: decision latency at a paced rate; kafka: Kafka mode against Python and kcat;
// simulate: the simulator alone, as records and as a CSV file; simulated-pipeline: the pipeline fed by the simulator with
// live quality (and features); features: the feature engine alone; feature-memory: its state for 1M customers and
// 100k terminals; model-batch MODEL.json: batch scoring on every core; anything else: BenchmarkDotNet.
return args.FirstOrDefault() switch
{
    "pipeline" => await PipelineBenchmark.ThroughputAsync(args[1..]),
    "latency" => await PipelineBenchmark.LatencyAsync(args[1..]),
    "kafka" => await KafkaBenchmark.RunAsync(args[1..]),
    "simulate" => SimulatorBenchmark.Run(args[1..]),
    "simulated-pipeline" => await SimulatorBenchmark.PipelineAsync(args[1..]),
    "features" => FeatureBenchmark.Throughput(),
    "feature-memory" => FeatureBenchmark.Memory(args[1..]),
    "model-batch" => ModelBatchBenchmark.Run(args[1..]),
    _ => Run(args),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(RecordBenchmarks).Assembly).Run(args);
    return 0;
}
