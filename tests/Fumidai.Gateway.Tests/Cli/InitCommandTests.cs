using Fumidai.Cli.Infrastructure;
using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Tests.Cli;

public sealed class InitCommandTests
{
    [Fact]
    public async Task Init_creates_the_data_directory_and_an_admin_with_totp()
    {
        using var cli = new CliHarness();
        var result = await cli.OkAsync("init", "--admin", "chief");

        Assert.True(cli.Data.IsInitialized);
        foreach (var path in cli.Data.HostKeyPaths.Append(cli.Data.UserCaKeyPath).Append(cli.Data.AuditKeyPath).Append(cli.Data.ConfigurationPath))
            Assert.True(File.Exists(path), path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.Data.MasterKeyPath));
        var uri = TotpCodes.EnrolmentUri(result.Out);
        Assert.Equal("/Fumidai:chief", uri.AbsolutePath);
        Assert.Contains("█", result.Out);

        var store = await cli.StoreAsync();
        var admin = await store.GetUserAsync("chief");
        Assert.NotNull(admin);
        Assert.Equal([BuiltInRoles.Admin], admin.Roles);
        var secret = cli.Data.LoadProtector().Unprotect(admin.EncryptedTotpSecret!, "totp:chief");
        Assert.Equal(TotpCodes.Secret(result.Out), secret);
    }

    [Fact]
    public async Task Init_refuses_an_existing_data_directory()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var again = await cli.RunAsync("init");
        Assert.Equal(ExitCodes.Conflict, again.ExitCode);
        Assert.Contains("refusing", again.Error);
        Assert.Equal("", again.Out);
    }

    [Fact]
    public async Task Init_names_the_first_admin_admin_by_default()
    {
        using var cli = new CliHarness();
        var result = await cli.OkAsync("init");
        Assert.Equal("/Fumidai:admin", TotpCodes.EnrolmentUri(result.Out).AbsolutePath);
    }

    [Fact]
    public async Task Ca_show_prints_the_user_ca_public_key_on_one_line()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        var result = await cli.OkAsync("ca", "show");
        var line = Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var key = Ssh.Keys.SshPublicKey.ParseOpenSsh(line);
        Assert.True(key.BlobEquals(cli.Data.LoadUserCa().PublicKey));
    }

    [Fact]
    public async Task A_broken_configuration_file_is_reported_with_its_path_and_line()
    {
        using var cli = new CliHarness();
        await cli.OkAsync("init");
        File.WriteAllText(cli.Data.ConfigurationPath, "{\n  \"Ssh\": {\n    \"Listen\": \"0.0.0.0:2222\",,\n  }\n}\n");
        var result = await cli.RunAsync("user", "list");
        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(cli.Data.ConfigurationPath + ":3", result.Error);

        File.WriteAllText(cli.Data.ConfigurationPath, "{\n  \"Sessions\": {\n    \"IdleTimeout\": \"forever\"\n  }\n}\n");
        result = await cli.RunAsync("audit");
        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains(cli.Data.ConfigurationPath + ":3", result.Error);
        Assert.Contains("Sessions:IdleTimeout", result.Error);
    }

    [Fact]
    public async Task Commands_on_a_folder_that_was_never_initialised_say_how_to_create_it()
    {
        using var cli = new CliHarness();
        var result = await cli.RunAsync("user", "list");
        Assert.Equal(ExitCodes.Configuration, result.ExitCode);
        Assert.Contains("fumidai init", result.Error);
    }
}
