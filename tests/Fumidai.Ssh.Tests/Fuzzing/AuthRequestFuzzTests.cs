using System.Text;
using Fumidai.Ssh.Authentication;
using Fumidai.Ssh.Keys;
using Fumidai.Ssh.Tests.Robustness;
using Fumidai.Ssh.TestHost;
using Fumidai.Ssh.Transport;
using Fumidai.Ssh.Wire;
using Xunit.Abstractions;

namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>
/// Mutated USERAUTH_REQUESTs sent to a live server: the request parser is private to the server, so it is fuzzed
/// where an attacker reaches it, before authentication. Every input must be answered or end in a DISCONNECT, and
/// nothing may reach the server's error handler.
/// </summary>
public sealed class AuthRequestFuzzTests
{
    /// <summary>Network round trips are slower than in-process decoding: a smaller bounded count, on top of the 20,000.</summary>
    private const int BoundedInputs = 400;

    private readonly ITestOutputHelper _output;

    public AuthRequestFuzzTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Mutated_auth_requests_never_reach_the_error_handler()
    {
        using var directory = new TempDirectory("fumidai-authfuzz");
        using var userKey = SshPrivateKey.Generate("ssh-ed25519");
        var log = new CapturingLogger();
        await using var server = TestSshServer.Start(new TestHostOptions
        {
            HostKeyDirectory = directory.Combine("hostkeys"),
            AuthorizedKeys = [userKey.PublicKey.ToString()],
            Password = "fuzz password 123456",
            KeyboardInteractiveAnswer = "424242",
            Transport = new SshTransportSettings(),
            // Many attempts and no delay, so most inputs reuse one connection.
            Authentication = new ServerAuthenticationSettings { FailureDelay = TimeSpan.Zero },
            Limits = new SshConnectionLimits { MaxAuthAttempts = 1000 },
        }, log);

        var seeds = Seeds(userKey);
        var random = new Random(0x0A17);
        var mutator = new Mutator(random);
        ScriptedClient? client = null;
        int connections = 0, disconnects = 0, answered = 0;
        try
        {
            for (int i = 0; i < BoundedInputs; i++)
            {
                if (client is null)
                {
                    client = await ScriptedClient.ConnectAsync(server.Port);
                    await client.SendAsync(MessageNumber.ServiceRequest, w => w.WriteString("ssh-userauth"));
                    Assert.Equal((byte)MessageNumber.ServiceAccept, (await client.ReceiveAsync())[0]);
                    connections++;
                }
                var input = mutator.Mutate(seeds[random.Next(seeds.Count)], seeds);
                // Keep the message number: other numbers test the dispatcher, not the request parser.
                await client.SendAsync(MessageNumber.UserAuthRequest, w => w.WriteRaw(input.AsSpan(Math.Min(1, input.Length))));
                try
                {
                    var reply = await client.ReceiveAsync();
                    answered++;
                    if (reply[0] is (byte)MessageNumber.UserAuthSuccess or (byte)MessageNumber.UserAuthInfoRequest)
                    {
                        // Logged in, or inside a keyboard-interactive round: start over on a fresh connection.
                        await client.DisposeAsync();
                        client = null;
                    }
                }
                catch (SshConnectionLostException e)
                {
                    Assert.True(e.Reason is DisconnectReason.ProtocolError or DisconnectReason.NoMoreAuthMethodsAvailable, e.Message);
                    disconnects++;
                    await client!.DisposeAsync();
                    client = null;
                }
            }
        }
        finally
        {
            if (client is not null) await client.DisposeAsync();
        }
        _output.WriteLine($"{BoundedInputs} inputs: {answered} answered, {disconnects} disconnects, {connections} connections");
        log.AssertNoErrors();
        // Both outcomes must occur, or the mutations are too weak (all rejected) or too timid (all valid).
        Assert.True(answered > 0 && disconnects > 0, $"answered {answered}, disconnects {disconnects}");
    }

    /// <summary>Well-formed requests of each method: none, password, publickey query and signed, keyboard-interactive.</summary>
    private static List<byte[]> Seeds(SshPrivateKey key)
    {
        byte[] Request(string method, Action<SshWriter> body)
        {
            using var writer = new SshWriter();
            writer.WriteMessageNumber(MessageNumber.UserAuthRequest);
            writer.WriteString("alice");
            writer.WriteString("ssh-connection");
            writer.WriteString(method);
            body(writer);
            return writer.WrittenSpan.ToArray();
        }
        var blob = key.PublicKey.Blob.ToArray();
        var signature = key.Sign("ssh-ed25519", Encoding.ASCII.GetBytes("not the session id"));
        return
        [
            Request("none", _ => { }),
            Request("password", w =>
            {
                w.WriteBoolean(false);
                w.WriteString("wrong password");
            }),
            Request("password", w =>
            {
                w.WriteBoolean(true);
                w.WriteString("old");
                w.WriteString("new");
            }),
            Request("publickey", w =>
            {
                w.WriteBoolean(false);
                w.WriteString("ssh-ed25519");
                w.WriteBinary(blob);
            }),
            Request("publickey", w =>
            {
                w.WriteBoolean(true);
                w.WriteString("ssh-ed25519");
                w.WriteBinary(blob);
                w.WriteBinary(signature);
            }),
            Request("keyboard-interactive", w =>
            {
                w.WriteString("");
                w.WriteString("");
            }),
        ];
    }
}
