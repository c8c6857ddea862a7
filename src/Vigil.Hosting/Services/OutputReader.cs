namespace Vigil.Hosting.Services;

/// <summary>
/// A part beside the pipeline that reads its outputs to their end: a file sink, the quality monitor, the dashboard's
/// feed, an alert reader. Made before the run starts (in-process topics keep no history, so it has subscribed before
/// the first record); <paramref name="RunAsync"/> ends when the topics it reads complete.
/// </summary>
/// <param name="Name">What it is (a file's path, "the quality monitor"), for whoever inspects a run's readers.</param>
public sealed record OutputReader(string Name, Func<Task> RunAsync);
