using System.Net;
using System.Net.Sockets;

namespace Vigil.Testing;

/// <summary>Ports on 127.0.0.1 for servers the tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listened on a moment ago (the kernel's choice), for a server that must be told its port.</summary>
    public static int Free()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
