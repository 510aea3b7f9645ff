using Fumidai.Gateway.Audit.Export;

namespace Fumidai.Gateway.Tests.Audit;

public sealed class SyslogAddressTests
{
    [Theory]
    [InlineData("tcp://127.0.0.1:514", SyslogTransport.Tcp, "127.0.0.1", 514)]
    [InlineData("tls://siem.example.net:6514", SyslogTransport.Tls, "siem.example.net", 6514)]
    [InlineData("udp://[::1]:514", SyslogTransport.Udp, "::1", 514)]
    public void Valid_addresses_parse(string text, SyslogTransport transport, string host, int port)
    {
        Assert.True(SyslogAddress.TryParse(text, out var address, out _));
        Assert.Equal(new SyslogAddress(transport, host, port), address);
    }

    [Theory]
    [InlineData("127.0.0.1:514")]
    [InlineData("http://127.0.0.1:514")]
    [InlineData("tcp://127.0.0.1")]
    [InlineData("tcp://127.0.0.1:0")]
    [InlineData("tcp://127.0.0.1:70000")]
    [InlineData("tcp://:514")]
    [InlineData("tcp://bad host:514")]
    [InlineData("tcp://127.0.0.1:514/x")]
    public void Invalid_addresses_are_refused_with_a_reason(string text)
    {
        Assert.False(SyslogAddress.TryParse(text, out _, out string? error));
        Assert.NotNull(error);
    }
}
