using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Vigil.Web.Security;

namespace Vigil.Cli.Configuration;

/// <summary>
/// The web servers' API keys and HTTPS certificate (section <c>Security</c>): keys from <c>VIGIL_API_KEYS</c> or
/// <c>Security:ApiKeys</c> and a file of hashed keys; the certificate as PEM (with its key) or PKCS#12, its password
/// from <c>VIGIL_TLS_PASSWORD</c>. Secrets are never taken as flags.
/// </summary>
public static class WebSecuritySettings
{
    public static WebSecurity Read(LayeredConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var read = new SettingReader(configuration);
        var keys = ApiKeys.None;
        try
        {
            if (read.OptionalText("Security:ApiKeys") is { } list)
            {
                keys = ApiKeys.Parse(list, configuration.Origin("Security:ApiKeys"));
            }

            if (read.OptionalText("Security:ApiKeysFile") is { } file)
            {
                keys = keys.With(ApiKeys.ParseHashed(ReadLines(file, configuration.Origin("Security:ApiKeysFile")), file));
            }
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }

        return new WebSecurity
        {
            Keys = keys,
            Insecure = read.Flag("Security:Insecure", false),
            OpenMetrics = read.Flag("Security:OpenMetrics", false),
            Certificate = ReadCertificate(configuration, read),
        };
    }

    private static X509Certificate2? ReadCertificate(LayeredConfiguration configuration, SettingReader read)
    {
        if (read.OptionalText("Security:TlsCertificate") is not { } path)
        {
            return read.OptionalText("Security:TlsKey") is null ? null : throw new UsageException($"{configuration.Origin("Security:TlsKey")} needs --tls-certificate too");
        }

        var origin = configuration.Origin("Security:TlsCertificate");
        if (!File.Exists(path))
        {
            throw new UsageException($"{origin}: {path} not found");
        }

        var password = read.OptionalText("Security:TlsPassword");
        try
        {
            var extension = Path.GetExtension(path).ToLowerInvariant();
            if (extension is ".pfx" or ".p12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            var key = read.OptionalText("Security:TlsKey") ?? path;
            var certificate = password is null ? X509Certificate2.CreateFromPemFile(path, key) : X509Certificate2.CreateFromEncryptedPemFile(path, password, key);
            return certificate.HasPrivateKey ? certificate : throw new UsageException($"{origin}: {path} has no private key (give it with --tls-key)");
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            throw new UsageException($"{origin}: cannot read the certificate {path}: {e.Message} (PEM with --tls-key, or .pfx/.p12; a password comes from VIGIL_TLS_PASSWORD)");
        }
    }

    private static string[] ReadLines(string path, string origin)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{origin}: cannot read {path}: {e.Message}");
        }
    }
}
