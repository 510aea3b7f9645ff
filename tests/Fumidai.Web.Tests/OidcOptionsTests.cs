using Fumidai.Gateway.Configuration;

namespace Fumidai.Web.Tests;

/// <summary><c>Oidc:*</c>: off by default; when on, every missing or wrong setting named by key and line.</summary>
public sealed class OidcOptionsTests
{
    [Fact]
    public void Off_by_default_with_password_sign_in_open()
    {
        using var dir = new TempDirectory("fumidai-config");
        var options = ConfigurationLoader.Load(Write(dir, "{}")).Oidc;
        Assert.False(options.Enabled);
        Assert.True(options.AllowsLocalSignIn("anyone"));
    }

    [Fact]
    public void A_complete_setting_loads_with_its_role_map()
    {
        using var dir = new TempDirectory("fumidai-config");
        var options = ConfigurationLoader.Load(Write(dir, Oidc("\"Authority\": \"https://idp.example/realms/x\", \"ClientId\": \"c\", \"ClientSecret\": \"s\","
            + " \"RoleMap\": { \"ops-team\": \"ops\", \"auditors\": \"auditor\" }, \"LocalSignIn\": false, \"BreakGlassUser\": \"root\""))).Oidc;
        Assert.True(options.Enabled);
        Assert.Equal(["auditor", "ops"], options.MapRoles(["auditors", "ops-team", "unmapped"]));
        Assert.Empty(options.MapRoles(["unmapped"]));
        Assert.True(options.AllowsLocalSignIn("root"));
        Assert.False(options.AllowsLocalSignIn("alice"));
        Assert.Equal(TimeSpan.FromMinutes(15), options.SyncEvery);
        Assert.Null(new OidcOptions { SyncInterval = "off" }.SyncEvery);
    }

    [Theory]
    [InlineData("alice@example.com", "alice")]
    [InlineData("Alice.B@EXAMPLE.COM", "Alice.B")]
    [InlineData("alice@evil.example.com", "alice@evil.example.com")]
    [InlineData("alice@example.com.evil", "alice@example.com.evil")]
    [InlineData("@example.com", "@example.com")]
    [InlineData("bob", "bob")]
    public void Only_the_configured_mail_domain_is_cut_from_the_user_name(string claim, string name) =>
        Assert.Equal(name, new OidcOptions { UsernameDomain = "example.com" }.UserNameFrom(claim));

    [Theory]
    [InlineData("\"Authority\": \"http://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:Authority", "must be an https URL")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientSecret\": \"s\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:ClientId", "is required")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:ClientSecret", "or Oidc:ClientSecretFile is required")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\", \"ClientSecretFile\": \"/x\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:ClientSecret", "exclude each other")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecretFile\": \"/nonexistent/secret\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:ClientSecretFile", "does not exist")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\"", "Oidc:RoleMap", "at least one")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\", \"Scopes\": \"profile\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:Scopes", "must include openid")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\", \"CaFile\": \"/nonexistent/ca.pem\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:CaFile", "does not exist")]
    [InlineData("\"LocalSignIn\": false", "Oidc:LocalSignIn", "needs Oidc:Authority")]
    [InlineData("\"Authority\": \"https://idp.example\", \"ClientId\": \"c\", \"ClientSecret\": \"s\", \"SyncInterval\": \"soon\", \"RoleMap\": {\"g\": \"admin\"}", "Oidc:SyncInterval", "at least 1s, or off")]
    public void Wrong_settings_are_refused_naming_the_key(string body, string key, string why)
    {
        using var dir = new TempDirectory("fumidai-config");
        string path = Write(dir, Oidc(body));
        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(path)).Message;
        Assert.Contains(key, error);
        Assert.Contains(why, error);
        Assert.Contains(path, error);
    }

    private static string Oidc(string body) => "{\n  \"Oidc\": {\n    " + body + "\n  }\n}\n";

    private static string Write(TempDirectory dir, string json)
    {
        string path = dir.Combine("fumidai.json");
        File.WriteAllText(path, json);
        return path;
    }
}
