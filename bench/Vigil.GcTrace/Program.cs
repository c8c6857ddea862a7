using System.Globalization;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

// Usage: Vigil.GcTrace TRACE.nettrace [FROM_MS]
// where the trace comes from: dotnet-trace collect --providers Microsoft-Windows-DotNETRuntime:0x40000001:5 -o TRACE.nettrace -- COMMAND
// Allocations before FROM_MS (start-up) are left out; collections are all listed.
if (args.Length == 0 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Vigil.GcTrace TRACE.nettrace [FROM_MS]   (a dotnet-trace file with GC events at verbose level and stacks)");
    return 2;
}

var from = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 0;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, long>();
var byStack = new Dictionary<string, long>();
var collections = new List<string>();
var started = new Dictionary<int, (double At, int Generation, string Reason)>();
double suspended = 0;
var source = log.Events.GetSource();
source.Clr.GCAllocationTick += e =>
{
    if (e.TimeStampRelativeMSec < from)
    {
        return;
    }

    byType[e.TypeName] = byType.GetValueOrDefault(e.TypeName) + e.AllocationAmount64;
    var frames = new List<string>();
    for (var frame = e.CallStack(); frame is not null && frames.Count < 4; frame = frame.Caller)
    {
        if (frame.CodeAddress.FullMethodName is { Length: > 0 } name)
        {
            frames.Add(name.Length > 100 ? name[..100] : name);
        }
    }

    var key = e.TypeName + " <- " + string.Join(" <- ", frames);
    byStack[key] = byStack.GetValueOrDefault(key) + e.AllocationAmount64;
};
source.Clr.GCStart += e => started[e.Count] = (e.TimeStampRelativeMSec, e.Depth, e.Reason.ToString());
source.Clr.GCStop += e =>
{
    if (started.Remove(e.Count, out var start))
    {
        collections.Add(string.Create(CultureInfo.InvariantCulture, $"{start.At,9:F0} ms  gc #{e.Count} gen{start.Generation} {start.Reason}: {e.TimeStampRelativeMSec - start.At:F2} ms"));
    }
};
source.Clr.GCSuspendEEStart += e => suspended = e.TimeStampRelativeMSec;
source.Clr.GCRestartEEStop += e =>
    collections.Add(string.Create(CultureInfo.InvariantCulture, $"{suspended,9:F0} ms  pause {e.TimeStampRelativeMSec - suspended:F2} ms"));
source.Clr.GCHeapStats += e => collections.Add(string.Create(CultureInfo.InvariantCulture,
    $"            heap gen0 {e.GenerationSize0 >> 20} MB, gen1 {e.GenerationSize1 >> 20} MB, gen2 {e.GenerationSize2 >> 20} MB, large {e.GenerationSize3 >> 20} MB; promoted from gen0 {e.TotalPromotedSize0 / 1048576.0:F1} MB, from gen1 {e.TotalPromotedSize1 / 1048576.0:F1} MB"));
source.Process();

Console.WriteLine($"allocated (sampled every ~100 KB) by type, from {from} ms:");
foreach (var (type, bytes) in byType.OrderByDescending(kv => kv.Value).Take(20))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,9:F1} MB  {type}"));
}

Console.WriteLine("by type and stack:");
foreach (var (stack, bytes) in byStack.OrderByDescending(kv => kv.Value).Take(20))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,9:F1} MB  {stack}"));
}

Console.WriteLine("collections:");
collections.ForEach(Console.WriteLine);
return 0;
