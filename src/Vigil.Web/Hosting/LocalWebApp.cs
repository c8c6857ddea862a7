using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vigil.Web.Hosting;

/// <summary>The web applications Vigil hosts (dashboard, model server): Kestrel on one address, no logging, the caller owning the lifetime.</summary>
internal static class LocalWebApp
{
    /// <exception cref="ArgumentException">The host is not an IP address (or <c>localhost</c>).</exception>
    public static WebApplication Create(string host, int port, Action<KestrelServerOptions>? configure = null)
    {
        if (!IPAddress.TryParse(host, out var address))
        {
            address = host == "localhost" ? IPAddress.Loopback : throw new ArgumentException($"host '{host}' is not an IP address", nameof(host));
        }

        // The content root is ours, not the working directory: a user's appsettings.json there must not configure us.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, HostedByCaller>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            configure?.Invoke(kestrel);
        });
        return builder.Build();
    }

    /// <summary>Where a started application listens (e.g. <c>http://127.0.0.1:8080/</c>), the port resolved when 0 was asked.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
    }
}
