using Fumidai.Gateway.Configuration;

namespace Fumidai.Gateway.Tests.Targets;

/// <summary><c>Targets:CertificateSourceAddress</c>: auto by default, empty or addresses/CIDRs, anything else named by key and line.</summary>
public sealed class CertificateSourceAddressConfigurationTests
{
    [Fact]
    public void Default_binds_to_the_local_address_of_each_connection()
    {
        using var dir = new TempDirectory("fumidai-config");
        Assert.Equal("auto", ConfigurationLoader.Load(Write(dir, "{}")).Targets.CertificateSourceAddress);
    }

    [Theory]
    [InlineData("")]
    [InlineData("auto")]
    [InlineData("192.0.2.7")]
    [InlineData("192.0.2.0/24,2001:db8::/32,10.1.2.3")]
    public void Empty_auto_and_address_lists_are_accepted(string value)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, $$"""{ "Targets": { "CertificateSourceAddress": "{{value}}" } }""");
        Assert.Equal(value, ConfigurationLoader.Load(path).Targets.CertificateSourceAddress);
    }

    [Theory]
    [InlineData("bastion.example.com")]
    [InlineData("192.0.2.7, 10.0.0.1")]
    [InlineData("127.1")]
    public void Anything_else_is_refused_naming_the_key(string value)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, $$"""{ "Targets": { "CertificateSourceAddress": "{{value}}" } }""");
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains("Targets:CertificateSourceAddress", error);
    }

    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }
}
