using System.Net;
using System.Net.Sockets;

namespace Fumidai.Gateway.Tests.EndToEnd;

/// <summary>The pool of unauthenticated connections is shared fairly: one address filling it does not keep others out.</summary>
public sealed partial class AuthenticationEndToEndTests
{
    private const int UnauthenticatedCap = 100;

    [Fact]
    public async Task With_the_pool_full_of_one_address_another_address_still_logs_in()
    {
        var op = await _h.AddOperatorAsync("fairness");
        long s0 = Totp.CurrentStep();
        var held = new List<Socket>();
        try
        {
            // Half-open: connected, never a version line. Each waits until the bastion has sent its own version line, so the
            // server has taken the connection before the next one comes.
            for (int i = 0; i < UnauthenticatedCap; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                held.Add(socket);
                socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                using var timeout = new CancellationTokenSource(Short);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _h.Bastion.Port), timeout.Token);
                var buffer = new byte[256];
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                Assert.True(read > 0, $"connection {i} from 127.0.0.1 was refused while the pool was not full");
            }

            var result = await _h.SshExecAsync(op, "fairness:web01", "echo got-in", await Totp.CodeAsync(op.Secret, s0),
                sshArguments: From("127.0.0.2"));

            Assert.True(result.ExitCode == 0, Describe(result));
            Assert.Contains("got-in", result.Output);
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }
}
