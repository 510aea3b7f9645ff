using Xunit.Abstractions;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>
/// Why an operator is refused, told only after her first factor; lockout counted per source and never for a password she
/// does not have; one answer for unknown and forbidden targets. Debian's ssh against <c>fumidai serve</c>.
/// </summary>
/// <remarks>
/// Its own bastion (class fixture). Failures come from their own loopback address (<c>ssh -b 127.0.0.N</c>) so the lockout
/// of one test, and the per-source throttle, do not reach another.
/// </remarks>
public sealed partial class AuthenticationEndToEndTests : IClassFixture<BastionHarness>, IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(30);
    private readonly BastionHarness _h;
    private readonly ITestOutputHelper _output;

    public AuthenticationEndToEndTests(BastionHarness harness, ITestOutputHelper output)
    {
        _h = harness;
        _output = output;
    }

    public Task InitializeAsync() => _h.EnsureBastionRunningAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static string Describe(ProcessRunner.Result result) =>
        $"exit {result.ExitCode}\n--- stdout ---\n{result.Output}\n--- stderr ---\n{result.StandardError}";

    private static string[] From(string address) => ["-b", address];

    [Fact]
    public async Task A_wrong_code_is_explained_after_the_key()
    {
        var op = await _h.AddOperatorAsync("explainwrong");
        long s0 = Totp.CurrentStep();

        var result = await _h.SshExecAsync(op, "explainwrong:web01", "echo should-not-run", await Totp.WrongCodeAsync(op.Secret, s0),
            sshArguments: From("127.0.0.11"));

        _output.WriteLine(result.StandardError);
        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.Contains("wrong verification code", result.StandardError);
        Assert.DoesNotContain("should-not-run", result.Output);
        // The server's lines leave out fields that do not apply (no user at start) instead of printing "(null)".
        Assert.Contains("audit mfa.failure failure user=explainwrong source=127.0.0.11 target=web01 method=keyboard-interactive", _h.Bastion.Log);
        Assert.Contains("audit service.start info listen=", _h.Bastion.Log);
        Assert.DoesNotContain("(null)", _h.Bastion.Log);
    }

    [Fact]
    public async Task A_replayed_code_is_explained_after_the_key()
    {
        var op = await _h.AddOperatorAsync("explainreplay");
        long s0 = Totp.CurrentStep();
        string code = await Totp.CodeAsync(op.Secret, s0);

        var first = await _h.SshExecAsync(op, "explainreplay:web01", "echo first", code, sshArguments: From("127.0.0.12"));
        var again = await _h.SshExecAsync(op, "explainreplay:web01", "echo replayed", code, sshArguments: From("127.0.0.12"));

        Assert.True(first.ExitCode == 0, Describe(first));
        Assert.True(again.ExitCode == 255, Describe(again));
        Assert.Contains("already used", again.StandardError);
        Assert.Contains("wait for the next", again.StandardError);
        Assert.DoesNotContain("replayed", again.Output);
    }

    [Fact]
    public async Task Nothing_is_explained_before_the_first_factor()
    {
        var op = await _h.AddOperatorAsync("quietpw", password: "right password 1234");
        var guesser = op with { Password = "wrong password 1234" };

        var result = await _h.SshExecAsync(guesser, "quietpw:web01", "echo should-not-run", code: null, usePassword: true,
            sshArguments: From("127.0.0.13"));

        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.DoesNotContain("Fumidai:", result.StandardError);
        Assert.DoesNotContain("wrong", result.StandardError);
        Assert.DoesNotContain("locked", result.StandardError);
    }

    [Fact]
    public async Task A_locked_account_is_explained_after_the_key_and_only_from_the_locked_source()
    {
        var op = await _h.AddOperatorAsync("explainlock", password: "her password 12345");
        long s0 = Totp.CurrentStep();
        string wrong = await Totp.WrongCodeAsync(op.Secret, s0);
        // One wrong code per connection: a code retried within a connection counts once.
        for (int i = 0; i < 10; i++)
        {
            var failed = await _h.SshExecAsync(op, "explainlock:web01", "true", wrong, sshArguments: From("127.0.0.14"));
            Assert.True(failed.ExitCode == 255, Describe(failed));
        }
        await _h.WaitForAuditAsync(e => e.Type == "login.lockout" && e.User == "explainlock", "login.lockout of explainlock");

        var withKey = await _h.SshExecAsync(op, "explainlock:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0),
            sshArguments: From("127.0.0.14"));
        _output.WriteLine(withKey.StandardError);
        Assert.True(withKey.ExitCode == 255, Describe(withKey));
        Assert.Contains("locked", withKey.StandardError);
        Assert.Contains("UTC", withKey.StandardError);

        // Her right password while locked says nothing: that would tell a guesser the password was right.
        var withPassword = await _h.SshExecAsync(op, "explainlock:web01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0),
            usePassword: true, sshArguments: From("127.0.0.14"));
        Assert.True(withPassword.ExitCode == 255, Describe(withPassword));
        Assert.DoesNotContain("locked", withPassword.StandardError);

        var elsewhere = await _h.SshExecAsync(op, "explainlock:web01", "echo from-elsewhere", await Totp.CodeAsync(op.Secret, s0 + 1),
            sshArguments: From("127.0.0.15"));
        Assert.True(elsewhere.ExitCode == 0, Describe(elsewhere));
        Assert.Contains("from-elsewhere", elsewhere.Output);
    }

    [Fact]
    public async Task Ten_wrong_passwords_against_a_key_only_user_leave_her_able_to_log_in()
    {
        var op = await _h.AddOperatorAsync("keyonlyvictim");
        var guesser = op with { Password = "some guess 123456" };
        long s0 = Totp.CurrentStep();
        for (int connection = 0; connection < 2; connection++)
        {
            var guessed = await _h.SshExecAsync(guesser, "keyonlyvictim:web01", "true", code: null, usePassword: true, passwordPrompts: 5,
                sshArguments: From("127.0.0.16"));
            Assert.True(guessed.ExitCode == 255, Describe(guessed));
        }
        var audit = await _h.AuditAsync();
        Assert.Equal(10, audit.Count(e => e.Type == "login.failure" && e.User == "keyonlyvictim" && e.Detail("method") == "password"));
        Assert.DoesNotContain(audit, e => e.Type == "login.lockout" && e.User == "keyonlyvictim");

        var result = await _h.SshExecAsync(op, "keyonlyvictim:web01", "echo still-in", await Totp.CodeAsync(op.Secret, s0),
            sshArguments: From("127.0.0.16"));
        Assert.True(result.ExitCode == 0, Describe(result));
        Assert.Contains("still-in", result.Output);
    }

    [Fact]
    public async Task An_empty_password_is_refused_and_audited_not_an_internal_error()
    {
        var op = await _h.AddOperatorAsync("emptypw", password: "her password 12345");
        var empty = op with { Password = "" };

        var result = await _h.SshExecAsync(empty, "emptypw:web01", "echo should-not-run", code: null, usePassword: true,
            sshArguments: From("127.0.0.17"));

        Assert.True(result.ExitCode == 255, Describe(result));
        Assert.DoesNotContain("internal error", result.StandardError);
        Assert.Contains("Permission denied", result.StandardError);
        await _h.WaitForAuditAsync(e => e.Type == "login.failure" && e.User == "emptypw" && e.Detail("method") == "password",
            "login.failure of emptypw");
    }

    [Fact]
    public async Task Unknown_and_forbidden_targets_get_the_same_line()
    {
        var op = await _h.AddOperatorAsync("enumerate");
        long s0 = Totp.CurrentStep();

        var unknown = await _h.SshExecAsync(op, "enumerate:nosuch", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0));
        var forbidden = await _h.SshExecAsync(op, "enumerate:db01", "echo should-not-run", await Totp.CodeAsync(op.Secret, s0 + 1));

        Assert.True(unknown.ExitCode is not 0 and not 255, Describe(unknown));
        Assert.True(forbidden.ExitCode == unknown.ExitCode, Describe(forbidden));
        Assert.Equal(unknown.StandardError.Replace("nosuch", "NAME"), forbidden.StandardError.Replace("db01", "NAME"));
        // The audit keeps the precise reason.
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "enumerate" && e.Target == "db01"
            && e.Detail("reason").Contains("no role"), "request.denied of enumerate on db01");
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "enumerate" && e.Target == "nosuch"
            && e.Detail("reason") == "unknown target", "request.denied of enumerate on nosuch");
    }

    [Fact]
    public async Task Port_forwarding_to_unknown_and_forbidden_targets_gets_the_same_answer()
    {
        var op = await _h.AddOperatorAsync("enumfwd");
        long s0 = Totp.CurrentStep();
        string[] forward = ["-W", $"127.0.0.1:{_h.Target.Port}"];

        var unknown = await _h.SshExecAsync(op, "enumfwd:nosuch", "", await Totp.CodeAsync(op.Secret, s0), sshArguments: forward);
        var forbidden = await _h.SshExecAsync(op, "enumfwd:db01", "", await Totp.CodeAsync(op.Secret, s0 + 1), sshArguments: forward);

        Assert.True(unknown.ExitCode == 255, Describe(unknown));
        Assert.Contains("none of your roles grants it", unknown.StandardError);
        Assert.True(forbidden.ExitCode == 255, Describe(forbidden));
        Assert.Equal(unknown.StandardError.Replace("nosuch", "NAME"), forbidden.StandardError.Replace("db01", "NAME"));
        await _h.WaitForAuditAsync(e => e.Type == "request.denied" && e.User == "enumfwd" && e.Detail("request") == "direct-tcpip"
            && e.Detail("reason").Contains("no role"), "request.denied direct-tcpip of enumfwd on db01");
    }

    [Fact]
    public async Task The_menu_prompts_again_after_a_target_or_login_that_is_not_allowed()
    {
        var op = await _h.AddOperatorAsync("menuagain");
        long s0 = Totp.CurrentStep();
        await using var ssh = _h.SshInteractive(op, "menuagain", await Totp.CodeAsync(op.Secret, s0));
        const string Ask = "Target (name";
        int at = await ssh.WaitForAsync(Ask, Short);

        await ssh.TypeAsync("db01\r");
        int forbidden = await ssh.WaitForAsync("access denied", Short, at + Ask.Length);
        at = await ssh.WaitForAsync(Ask, Short, forbidden);
        await ssh.TypeAsync("nosuch\r");
        int unknown = await ssh.WaitForAsync("access denied", Short, at + Ask.Length);
        at = await ssh.WaitForAsync(Ask, Short, unknown);
        string forbiddenLine = ssh.Output[forbidden..].Split('\n')[0].Replace("db01", "NAME");
        string unknownLine = ssh.Output[unknown..].Split('\n')[0].Replace("nosuch", "NAME");
        Assert.Equal(unknownLine, forbiddenLine);

        await ssh.TypeAsync("nobody@web01\r");
        int login = await ssh.WaitForAsync("access denied", Short, at + Ask.Length);
        at = await ssh.WaitForAsync(Ask, Short, login);

        // "web01" with a combining accent after the e is another name, refused as typed, not read as web01.
        await ssh.TypeAsync("we\u0301b01\r");
        int lookAlike = await ssh.WaitForAsync("access denied: unknown target 'we\uFFFDb01'", Short, at + Ask.Length);
        at = await ssh.WaitForAsync(Ask, Short, lookAlike);

        // An arrow key pressed at the prompt types nothing into the name.
        await ssh.TypeAsync("\u001b[Aweb01\r");
        int shell = await ssh.WaitForAsync("# ", Short, at + Ask.Length);
        await ssh.TypeAsync("echo AGAIN_$((4+4))\r");
        await ssh.WaitForAsync("AGAIN_8", Short, shell);
        await ssh.TypeAsync("exit\r");
        Assert.Equal(0, await ssh.WaitForExitAsync(Short));
    }
}
