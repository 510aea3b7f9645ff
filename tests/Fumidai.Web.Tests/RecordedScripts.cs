using Fumidai.Gateway;
using Fumidai.Gateway.Configuration;
using Fumidai.Gateway.Recordings;
using Fumidai.Recording.Chunks;
using Fumidai.Recording.Storage;

namespace Fumidai.Web.Tests;

/// <summary>Recordings made for player tests: a script run through OpenSSH by a new operator, and its signed manifest.</summary>
internal static class RecordedScripts
{
    /// <summary>Runs <paramref name="script"/> as a new operator <paramref name="user"/>; returns the session id and its recording folder, once it ended.</summary>
    public static async Task<(string Id, string Prefix)> RecordAsync(BastionHarness bastion, string user, string script)
    {
        var op = await bastion.AddOperatorAsync(user);
        var run = await bastion.SshExecAsync(op, $"{user}:web01", script, await Totp.CodeAsync(op.Secret, Totp.CurrentStep()));
        Assert.True(run.ExitCode == 0, $"ssh failed: {run.StandardError}");
        var session = await bastion.WaitForSessionAsync(user, s => s.GetProperty("status").GetString() != "running", "ended");
        return (session.GetProperty("id").GetString()!, session.GetProperty("recording").GetString()!);
    }

    /// <summary>The recording's manifest once it is in the file store (bounded wait).</summary>
    public static async Task<RecordingManifest> ManifestAsync(BastionHarness bastion, string prefix)
    {
        var store = RecordingStores.Open(new RecordingOptions(), new DataDirectory(bastion.DataPath));
        try
        {
            for (int i = 0; i < 100; i++)
            {
                if (await store.GetAsync(ObjectLayout.ManifestKey(prefix)) is { } manifest) return ManifestCodec.Read(manifest).Manifest;
                await Task.Delay(200);
            }
            throw new TimeoutException("no manifest for " + prefix);
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }
}
