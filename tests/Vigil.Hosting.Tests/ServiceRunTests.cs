using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Vigil.Hosting.Services;
using Vigil.Testing;

namespace Vigil.Hosting.Tests;

/// <summary>The main work of a service process under the host: it ends the host, and a stop request ends it.</summary>
public sealed class ServiceRunTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Work_that_fails_stops_its_host_and_reports_the_failure_once_through_its_completion()
    {
        var log = new ListLogger();
        var builder = PipelineHost.CreateBuilder(log);
        builder.Services.AddServiceRun(async stop =>
        {
            await Task.Delay(20, stop);
            throw new InvalidOperationException("the brokers refused an output");
        });
        using var host = builder.Build();
        var run = host.Services.GetRequiredService<ServiceRun>();

        await host.StartAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.Completion.WaitAsync(Timeout));
        Assert.True(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        await host.StopAsync().WaitAsync(Timeout);

        Assert.Equal("the brokers refused an output", error.Message);
        Assert.DoesNotContain(log.Lines, line => line.Contains("refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stop_request_ends_the_work_and_the_loops_beside_it_end_when_the_host_stops()
    {
        var finished = false;
        var loopEnded = false;
        var builder = PipelineHost.CreateBuilder(new ListLogger());
        builder.Services.AddServiceRun(async stop =>
        {
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            finished = true;
        });
        var loopStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Services.AddLoop(async stop =>
        {
            loopStarted.SetResult();
            await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            loopEnded = true;
        });
        using var host = builder.Build();
        var run = host.Services.GetRequiredService<ServiceRun>();
        await host.StartAsync();

        // The host runs each service's work on the thread pool: a loop stopped before it began never runs at all.
        await loopStarted.Task.WaitAsync(Timeout);
        Assert.False(run.Completion.IsCompleted);

        host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await run.Completion.WaitAsync(Timeout);
        Assert.True(finished);
        Assert.False(loopEnded, "a loop runs until the host stops, not until the work ends");
        await host.StopAsync().WaitAsync(Timeout);
        Assert.True(loopEnded);
    }

    [Fact]
    public async Task The_command_lines_signal_or_deadline_ends_the_work_and_the_work_stops_its_host()
    {
        using var deadline = new CancellationTokenSource();
        var builder = PipelineHost.CreateBuilder(new ListLogger());
        builder.Services.AddServiceRun(stop => Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, stop).ContinueWith(_ => { }, TaskScheduler.Default), deadline.Token);
        using var host = builder.Build();
        var run = host.Services.GetRequiredService<ServiceRun>();
        await host.StartAsync();
        var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        Assert.False(stopping.IsCancellationRequested);

        await deadline.CancelAsync();
        await run.Completion.WaitAsync(Timeout);
        Assert.True(await Eventually.TrueAsync(() => stopping.IsCancellationRequested, Timeout));
        await host.StopAsync().WaitAsync(Timeout);
    }

    [Fact]
    public async Task Work_that_a_stop_cancelled_before_it_began_still_completes()
    {
        var ran = false;
        var run = new ServiceRun(_ => Task.FromResult(ran = true), new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await run.StartAsync(cancelled.Token);
        await run.StopAsync(CancellationToken.None).WaitAsync(Timeout);

        await run.Completion.WaitAsync(Timeout);
        Assert.False(ran);
    }
}
