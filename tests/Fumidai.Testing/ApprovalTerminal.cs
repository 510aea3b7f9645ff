using System.Text.RegularExpressions;

namespace Fumidai.Testing;

/// <summary>
/// <c>ssh -tt</c> to the bastion for a user whose logins are approved in the browser: the client's prompt goes to an askpass
/// that writes it down and then waits, as a person at the prompt would, until the test presses Enter.
/// </summary>
public sealed partial class ApprovalTerminal : IAsyncDisposable
{
    private static int _count;
    private readonly string _log;
    private readonly string _enter;

    private ApprovalTerminal(InteractiveSsh ssh, string log, string enter)
    {
        Ssh = ssh;
        _log = log;
        _enter = enter;
    }

    public InteractiveSsh Ssh { get; }

    /// <param name="command">A command to run instead of a shell, e.g. the bastion's own <c>cert</c>.</param>
    public static ApprovalTerminal Start(BastionHarness harness, Operator op, string loginName, string? command = null)
    {
        int n = Interlocked.Increment(ref _count);
        string log = harness.Directory.Combine($"approval-{n}.log");
        string enter = harness.Directory.Combine($"approval-{n}.enter");
        string script = harness.Directory.Combine($"approval-{n}.sh");
        File.WriteAllText(log, "");
        // Bounded: gives up (no answer) after two minutes without Enter.
        File.WriteAllText(script, $"""
            #!/bin/sh
            printf '%s\n' "$1" >> '{log}'
            i=0
            while [ ! -e '{enter}' ]; do
              i=$((i+1)); [ "$i" -gt 1200 ] && exit 1
              sleep 0.1
            done
            rm -f '{enter}'
            printf '\n'

            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var args = new List<string> { "-tt", "-e", "none" };
        args.AddRange(harness.ClientOptions(loginName, op.KeyFile));
        args.Add("127.0.0.1");
        if (command is not null) args.Add(command);
        var ssh = InteractiveSsh.Start(args, new Dictionary<string, string>
        {
            ["SSH_ASKPASS"] = script,
            ["SSH_ASKPASS_REQUIRE"] = "force",
            ["DISPLAY"] = ":0",
        });
        return new ApprovalTerminal(ssh, log, enter);
    }

    /// <summary>Waits (bounded) for the <paramref name="number"/>th prompt the client showed and returns it.</summary>
    public async Task<string> WaitForPromptAsync(int number, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var prompts = File.ReadAllLines(_log);
            if (prompts.Length >= number) return prompts[number - 1];
            if (DateTime.UtcNow > until || Ssh.HasExited)
                throw new Xunit.Sdk.XunitException($"prompt {number} did not come; prompts: {string.Join(" | ", prompts)}\n--- stderr ---\n{Ssh.Error}");
            await Task.Delay(100);
        }
    }

    /// <summary>Answers the prompt the client waits at with an empty line.</summary>
    public void PressEnter() => File.WriteAllText(_enter, "");

    [GeneratedRegex("enter ([A-Z2-9]{4}-[A-Z2-9]{4}), then press Enter")]
    private static partial Regex CodePattern();

    /// <summary>The approval code a prompt shows.</summary>
    public static string CodeIn(string prompt) =>
        CodePattern().Match(prompt) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("no code in: " + prompt);

    public ValueTask DisposeAsync() => Ssh.DisposeAsync();
}
