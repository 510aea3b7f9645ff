namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Debian's ssh gets a login certificate after key + TOTP, keeps it next to the key (where ssh offers it by itself), and
/// logs in again without a code; revocation, an MFA reset, another CA and another address each stop it.
/// </summary>
public sealed class LoginCertificateEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private readonly BastionHarness _h;

    public LoginCertificateEndToEndTests(BastionHarness harness) => _h = harness;

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A new operator in a new role whose certificates last <paramref name="ttl"/>.</summary>
    private async Task<Operator> OperatorAsync(string name, params string[] roleOptions)
    {
        await _h.MustAsync(["role", "add", name + "-role", "--targets", "web01", "--logins", "root", "--mfa-ttl", "8h", .. roleOptions]);
        return await _h.AddOperatorAsync(name, name + "-role");
    }

    /// <summary><c>ssh NAME@bastion cert</c> with key and code; writes the certificate where ssh looks for it.</summary>
    private async Task<string> GetCertificateAsync(Operator op)
    {
        var result = await _h.SshExecAsync(op, op.Name, "cert", await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.True(result.ExitCode == 0, $"cert: exit {result.ExitCode}: {result.Output} {result.StandardError}");
        string line = result.Output.Trim();
        Assert.StartsWith("ssh-ed25519-cert-v01@openssh.com ", line);
        File.WriteAllText(op.KeyFile + "-cert.pub", line + "\n");
        return line;
    }

    /// <summary>An exec on web01 where nothing can answer a prompt: the askpass fails if it is asked anything.</summary>
    private async Task<Fumidai.Testing.ProcessRunner.Result> ExecWithoutCodeAsync(Operator op, string command, string[]? sshArguments = null) =>
        await _h.SshExecAsync(op, op.Name + ":web01", command, code: null, sshArguments: sshArguments);

    [Fact]
    public async Task After_key_and_code_the_certificate_logs_in_with_no_prompt_until_it_is_revoked()
    {
        var op = await OperatorAsync("cora");
        string line = await GetCertificateAsync(op);
        var keygen = await Fumidai.Testing.ProcessRunner.RunAsync("ssh-keygen", ["-L", "-f", op.KeyFile + "-cert.pub"], BastionHarness.ProcessTimeout);
        Assert.Contains("Key ID: \"fumidai-login:cora:", keygen.Output);
        Assert.Contains("cora", keygen.Output.Split("Principals:")[1]);

        var exec = await ExecWithoutCodeAsync(op, "echo CERT_$((6*7)); exit 3");
        Assert.True(exec.ExitCode == 3, $"exit {exec.ExitCode}: {exec.Output} {exec.StandardError}");
        Assert.Contains("CERT_42", exec.Output);
        Assert.Equal("", File.ReadAllText(_h.LastPromptLog));
        var login = await _h.WaitForAuditAsync(e => e.Type == "login" && e.User == "cora" && e.Detail("method") == "certificate", "certificate login");
        Assert.False(string.IsNullOrEmpty(login.Detail("serial")));
        Assert.Contains(login.Detail("serial"), line);
        await _h.WaitForSessionAsync("cora", s => s.GetProperty("status").GetString() == "closed", "closed");

        // A certificate login cannot mint the next certificate: only a code can.
        var renew = await _h.SshExecAsync(op, "cora", "cert", code: null);
        Assert.Equal(1, renew.ExitCode);
        Assert.Contains("cannot renew itself", renew.StandardError);

        await _h.MustAsync("user", "revoke-certs", "cora");
        var revoked = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN");
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", revoked.Output);
        Assert.Contains("Verification code", File.ReadAllText(_h.LastPromptLog));
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "cora" && e.Detail("reason").Contains("revoked"), "revoked refusal");
    }

    [Fact]
    public async Task An_MFA_reset_stops_the_certificate()
    {
        var op = await OperatorAsync("rhea");
        await GetCertificateAsync(op);
        await _h.MustAsync("user", "reset-mfa", "rhea");

        var refused = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
    }

    [Fact]
    public async Task A_certificate_signed_by_the_user_CA_that_targets_trust_is_refused()
    {
        var op = await OperatorAsync("uma");
        string line = await GetCertificateAsync(op);
        string serial = line.Split(' ')[2].Split(':')[2];
        // The same identity, serial and principal, signed by the CA targets trust.
        var sign = await Fumidai.Testing.ProcessRunner.RunAsync("ssh-keygen",
            ["-q", "-s", Path.Combine(_h.DataPath, "user_ca"), "-I", "fumidai-login:uma:" + serial, "-n", "uma", "-z", serial, "-V", "-1m:+1h",
                op.KeyFile + ".pub"], BastionHarness.ProcessTimeout);
        Assert.True(sign.ExitCode == 0, sign.StandardError);

        var refused = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
        Assert.Contains("Verification code", File.ReadAllText(_h.LastPromptLog));
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "uma" && e.Detail("reason").Contains("untrusted CA"), "the forged certificate");
    }

    [Fact]
    public async Task A_source_bound_certificate_works_from_its_address_only()
    {
        var op = await OperatorAsync("sia", "--mfa-source-bound");
        await GetCertificateAsync(op);

        var elsewhere = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN", ["-b", "127.0.0.2"]);
        Assert.NotEqual(0, elsewhere.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", elsewhere.Output);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "sia" && e.Detail("reason").Contains("source-address"), "the other address");

        var here = await ExecWithoutCodeAsync(op, "echo BOUND_$((6*7))");
        Assert.True(here.ExitCode == 0, $"exit {here.ExitCode}: {here.Output} {here.StandardError}");
        Assert.Contains("BOUND_42", here.Output);
    }

    [Fact]
    public async Task An_expired_certificate_is_refused_and_a_code_is_asked_again()
    {
        // The shortest lifetime the CLI takes, so the test waits seconds, not hours.
        var op = await OperatorAsync("exia");
        await _h.MustAsync("role", "set", "exia-role", "--mfa-ttl", "10s");
        await GetCertificateAsync(op);
        var keygen = await Fumidai.Testing.ProcessRunner.RunAsync("ssh-keygen", ["-L", "-f", op.KeyFile + "-cert.pub"], BastionHarness.ProcessTimeout);
        string validity = keygen.Output.Split('\n').Single(l => l.TrimStart().StartsWith("Valid:", StringComparison.Ordinal));
        var until = DateTime.ParseExact(validity.Trim().Split(" to ")[1], "yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeLocal).ToUniversalTime();
        Assert.True(until - DateTime.UtcNow <= TimeSpan.FromSeconds(11), "valid until " + validity);

        var fresh = await ExecWithoutCodeAsync(op, "echo FRESH_$((6*7))");
        Assert.True(fresh.ExitCode == 0 || until <= DateTime.UtcNow, $"exit {fresh.ExitCode}: {fresh.Output} {fresh.StandardError}");

        var wait = until - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var expired = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN");
        Assert.NotEqual(0, expired.ExitCode);
        Assert.DoesNotContain("SHOULD_NOT_RUN", expired.Output);
        Assert.Contains("Verification code", File.ReadAllText(_h.LastPromptLog));
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "exia" && e.Detail("reason").Contains("expired"), "the expired refusal");
    }

    [Fact]
    public async Task Disabling_her_or_removing_her_key_stops_the_certificate_at_once()
    {
        var dina = await OperatorAsync("dina");
        var kemal = await OperatorAsync("kemal");
        await GetCertificateAsync(dina);
        await GetCertificateAsync(kemal);
        foreach (var op in new[] { dina, kemal })
        {
            var works = await ExecWithoutCodeAsync(op, "echo WORKS_$((6*7))");
            Assert.True(works.ExitCode == 0, $"{op.Name}: exit {works.ExitCode}: {works.StandardError}");
        }

        await _h.MustAsync("user", "disable", "dina");
        await _h.MustAsync("user", "key", "remove", "kemal", kemal.KeyFile + ".pub");

        foreach (var (op, reason) in new[] { (dina, "certificate: user disabled"), (kemal, "certificate: key no longer registered") })
        {
            var refused = await ExecWithoutCodeAsync(op, "echo SHOULD_NOT_RUN");
            Assert.NotEqual(0, refused.ExitCode);
            Assert.DoesNotContain("SHOULD_NOT_RUN", refused.Output);
            await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == op.Name && e.Detail("reason") == reason, reason);
        }
    }
}
