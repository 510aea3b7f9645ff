using System.Diagnostics;
using OtpNet;

namespace Fumidai.Gateway.Tests.Cli;

/// <summary>Reads an enrolment URI and computes codes with Debian's <c>oathtool</c>, an implementation independent of ours.</summary>
public static class TotpCodes
{
    /// <summary>The first output line starting with otpauth://totp/.</summary>
    public static Uri EnrolmentUri(string output) =>
        new(output.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("otpauth://totp/", StringComparison.Ordinal)));

    public static IReadOnlyDictionary<string, string> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));

    public static string Base32Secret(string output) => Query(EnrolmentUri(output))["secret"];

    public static byte[] Secret(string output) => Base32Encoding.ToBytes(Base32Secret(output));

    /// <summary>The current code for a base32 secret, from <c>oathtool --totp -b</c>.</summary>
    public static string Oathtool(string base32Secret)
    {
        var info = new ProcessStartInfo("oathtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--totp", "-b", base32Secret }) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        string code = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, "oathtool failed: " + process.StandardError.ReadToEnd());
        return code;
    }
}
