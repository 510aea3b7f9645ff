using System.Security.Cryptography;
using Fumidai.Testing;

namespace Fumidai.Gateway.Tests.Agents;

/// <summary>Everyday use of an agent target: sftp both ways, and an onward ssh from the target recorded like any typing.</summary>
public sealed partial class AgentEndToEndTests
{
    [Fact]
    public async Task Sftp_through_an_agent_puts_and_gets_files_byte_identical()
    {
        await EnsureMainAgentAsync();
        var op = await _h.AddOperatorAsync("agentsftp");
        long step = Totp.CurrentStep();
        string local = _h.Directory.Combine("agent-sftp-up.bin");
        File.WriteAllBytes(local, RandomNumberGenerator.GetBytes(2 * 1024 * 1024 + 5));
        // The namespace shares the file system: what the target's sshd writes is a file the test can read.
        string remote = _h.Directory.Combine("agent-sftp-on-target.bin");
        string back = _h.Directory.Combine("agent-sftp-down.bin");
        string put = _h.Directory.Combine("agent-sftp-put.batch");
        File.WriteAllText(put, $"put {local} {remote}\n");
        string get = _h.Directory.Combine("agent-sftp-get.batch");
        File.WriteAllText(get, $"get {remote} {back}\n");

        var up = await _h.RunClientAsync("sftp", op, "agentsftp:webagent", await Totp.CodeAsync(op.Secret, step), ["-b", put, "127.0.0.1"]);
        Assert.True(up.ExitCode == 0, $"{up.Output} {up.StandardError}");
        var down = await _h.RunClientAsync("sftp", op, "agentsftp:webagent", await Totp.CodeAsync(op.Secret, step + 1), ["-b", get, "127.0.0.1"]);
        Assert.True(down.ExitCode == 0, $"{down.Output} {down.StandardError}");

        Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(remote)));
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(local)), SHA256.HashData(File.ReadAllBytes(back)));
        var uploaded = await _h.WaitForAuditAsync(e => e.Type == "session.file" && e.User == "agentsftp" && e.Detail("operation") == "upload",
            "sftp upload audited");
        Assert.Equal("webagent", uploaded.Target);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(local))), uploaded.Detail("sha256"));
    }

    [Fact]
    public async Task An_onward_ssh_from_an_agent_target_is_recorded()
    {
        await EnsureMainAgentAsync();
        var op = await _h.AddOperatorAsync("agenthop");
        await using (var ssh = _h.SshInteractive(op, "agenthop:webagent", await Totp.CodeAsync(op.Secret, Totp.CurrentStep())))
        {
            int prompt = await ssh.WaitForAsync("# ", AgentNetworkFixture.Wait);
            // From the target, on inside its namespace: the second hop is an sshd only the target can reach.
            await ssh.TypeAsync("ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o BatchMode=yes "
                + $"-i {_h.HopKeyFile} -p {_f.InnerSshd.Port} root@127.0.0.1 'echo HOPPED_$((6*7)) $SSH_CONNECTION'\r");
            int hopped = await ssh.WaitForAsync("HOPPED_42 127.0.0.1", AgentNetworkFixture.Wait, prompt);
            await ssh.WaitForAsync("# ", AgentNetworkFixture.Wait, hopped);
            await ssh.TypeAsync("exit\r");
            Assert.Equal(0, await ssh.WaitForExitAsync(AgentNetworkFixture.Wait));
        }
        var session = await _h.WaitForSessionAsync("agenthop", s => s.GetProperty("status").GetString() == "closed", "closed");
        string shown = await _h.ExportAndCatAsync(session.GetProperty("id").GetString()!);
        Assert.Contains($"-p {_f.InnerSshd.Port} root@127.0.0.1", shown);
        Assert.Contains("HOPPED_42 127.0.0.1", shown);
        Assert.True(await _f.InnerSshd.WaitForLogAsync("Accepted publickey for root"), _f.InnerSshd.Log);
    }
}
