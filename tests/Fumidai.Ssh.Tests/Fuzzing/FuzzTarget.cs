namespace Fumidai.Ssh.Tests.Fuzzing;

/// <summary>One decoder under fuzz: valid seed inputs and how to feed it one input.</summary>
/// <param name="Name">Stable name, used to pick the target in theories and in findings.</param>
/// <param name="Seeds">Valid inputs the mutator starts from.</param>
/// <param name="Run">Decodes one input; may throw only what <paramref name="IsExpected"/> accepts.</param>
/// <param name="IsExpected">The exceptions the decoder documents for bad input (SshProtocolException and the like).</param>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Func<byte[], ValueTask> Run, Func<Exception, bool> IsExpected)
{
    public override string ToString() => Name;
}
