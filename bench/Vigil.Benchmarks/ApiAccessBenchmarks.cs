using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Vigil.Web.Security;

namespace Vigil.Benchmarks;

/// <summary>
/// What an API key costs a request: the access check of a <c>POST /v1/score</c> with no key configured (the loopback
/// default), with its key already verified once (every request of a client after its first), and the SHA-256 check a
/// key's first request pays.
/// </summary>
[ShortRunJob]
[MemoryDiagnoser]
public class ApiAccessBenchmarks
{
    private const string Key = "score-key-0123456789abcdef01234567";

    private readonly ApiKeys _keys = ApiKeys.Parse($"score={Key},view=view-key-0123456789abcdef,admin=admin-key-0123456789abcdef", "bench");
    private ApiAccess _open = null!;
    private ApiAccess _keyed = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _open = new ApiAccess(WebSecurity.None);
        _keyed = new ApiAccess(new WebSecurity { Keys = _keys });
        _context = new DefaultHttpContext();
        _context.Request.Method = "POST";
        _context.Request.Path = "/v1/score";
        _context.Request.Headers.Authorization = "Bearer " + Key;
        _ = _keyed.AdmitAsync(_context).AsTask().Result;
    }

    [Benchmark(Baseline = true)]
    public ValueTask<bool> NoKeyConfigured() => _open.AdmitAsync(_context);

    [Benchmark]
    public ValueTask<bool> KeyAlreadyVerified() => _keyed.AdmitAsync(_context);

    [Benchmark]
    public ApiRole? KeyHashedAndCompared() => _keys.Authenticate(Key);
}
