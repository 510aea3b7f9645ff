namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>An input that made a decoder throw something undocumented, or run longer than the hang limit.</summary>
public sealed record FuzzFinding(string Target, string Kind, string Detail, byte[] Input)
{
    /// <summary>Findings with the same target, kind and first stack frame are one bug.</summary>
    public string Signature => $"{Target}: {Kind} {Detail.Split('\n')[0]}";

    public override string ToString() =>
        $"{Target}: {Kind}\n{Detail}\ninput ({Input.Length} bytes): {Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 512)))}";
}
