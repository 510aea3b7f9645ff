using System.Security.Cryptography.X509Certificates;
using Fumidai.Cli;
using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway;
using Fumidai.Web.Hosting;

namespace Fumidai.Web.Tests;

/// <summary>The console's certificate from <c>init</c> and on upgrade, and <c>user set-password</c>, through the real CLI.</summary>
public sealed class CertificateAndPasswordTests : IDisposable
{
    private readonly TempDirectory _directory = new("fumidai-console-cli");

    private string DataPath => _directory.Combine("data");

    private async Task<(int Exit, string Out, string Error)> CliAsync(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await FumidaiCommandLine.RunAsync([.. args, "--data", DataPath], new CliRuntime(new CliConsole(new StringReader(input), output, error)));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Init_prints_the_fingerprint_of_an_owner_only_p256_certificate_and_serve_recreates_a_missing_one()
    {
        var init = await CliAsync("", "init");
        Assert.True(init.Exit == 0, init.Error);
        var data = new DataDirectory(DataPath);
        using (var certificate = X509Certificate2.CreateFromPemFile(WebCertificate.CertificatePath(data), WebCertificate.KeyPath(data)))
        {
            Assert.Contains(WebCertificate.Fingerprint(certificate), init.Out);
            using var key = certificate.GetECDsaPublicKey();
            Assert.NotNull(key);
            Assert.Equal(256, key.KeySize);
        }
        foreach (string path in new[] { WebCertificate.CertificatePath(data), WebCertificate.KeyPath(data) })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        // A data directory from before the console: no certificate. serve makes one and says so, instead of failing.
        File.Delete(WebCertificate.CertificatePath(data));
        File.Delete(WebCertificate.KeyPath(data));
        int port = BastionProcess.FreePort();
        await using (var serve = BastionProcess.Launch(DataPath, new Dictionary<string, string>
        {
            [BastionProcess.WebEnabledVariable] = "true",
            ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{port}",
        }))
        {
            Assert.True(await serve.WaitForLogAsync($"console listening on https://127.0.0.1:{port}/", TimeSpan.FromSeconds(60)), serve.Log);
            Assert.Contains("created the console's self-signed certificate", serve.Log);
        }
        Assert.True(WebCertificate.Exists(data));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(WebCertificate.KeyPath(data)));

        // A configured certificate that is not there is a clear configuration error, not a crash.
        await using var broken = BastionProcess.Launch(DataPath, new Dictionary<string, string>
        {
            [BastionProcess.WebEnabledVariable] = "true",
            ["FUMIDAI__Web__Listen"] = $"127.0.0.1:{BastionProcess.FreePort()}",
            ["FUMIDAI__Web__Certificate"] = _directory.Combine("missing.pem"),
            ["FUMIDAI__Web__CertificateKey"] = _directory.Combine("missing.key"),
        });
        Assert.True(await broken.WaitForExitAsync(TimeSpan.FromSeconds(60)), broken.Log);
        Assert.Equal(5, broken.ExitCode);
        Assert.Contains("missing.pem does not exist", broken.Log);
    }

    [Fact]
    public async Task Set_password_refuses_a_weak_password_and_changes_nothing_then_stores_an_argon2id_hash()
    {
        Assert.Equal(0, (await CliAsync("", "init", "--admin", "root")).Exit);
        var weak = await CliAsync("short 1\n", "user", "set-password", "root", "--password-stdin");
        Assert.Equal(ExitCodes.Usage, weak.Exit);
        Assert.Contains("at least 12 characters", weak.Error);
        var letters = await CliAsync("onlyletterspassword\n", "user", "set-password", "root", "--password-stdin");
        Assert.Equal(ExitCodes.Usage, letters.Exit);
        Assert.Contains("letters and digits", letters.Error);
        var store = await new DataDirectory(DataPath).OpenStoreAsync();
        Assert.Null((await store.GetUserAsync("root"))!.PasswordHash);

        var unknown = await CliAsync("a good password 123\n", "user", "set-password", "nobody", "--password-stdin");
        Assert.Equal(ExitCodes.NotFound, unknown.Exit);
        var set = await CliAsync("a good password 123\n", "user", "set-password", "root", "--password-stdin");
        Assert.True(set.Exit == 0, set.Error);
        string hash = (await store.GetUserAsync("root"))!.PasswordHash!;
        Assert.StartsWith("$argon2id$", hash);
        Assert.True(Gateway.Identity.PasswordHasher.Verify("a good password 123", hash));
        Assert.DoesNotContain("a good password", set.Out + set.Error);
    }

    public void Dispose() => _directory.Dispose();
}
