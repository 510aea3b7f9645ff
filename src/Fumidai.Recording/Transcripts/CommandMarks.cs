namespace Fumidai.Recording.Transcripts;

/// <summary>Why a command line was read from the keys typed instead of from a prompt on the screen.</summary>
public static class CommandMarks
{
    /// <summary>Typed at a shell prompt, but nothing it typed was shown (<c>stty -echo</c>).</summary>
    public const string WithoutEcho = "typed without echo";

    /// <summary>Typed while the alternate screen was shown by something other than a known full-screen program.</summary>
    public const string AlternateScreen = "typed on the alternate screen";

    /// <summary>Shown, but on a line with no prompt before it (an empty <c>PS1</c>, or input to a program).</summary>
    public const string NoPrompt = "no prompt seen";

    /// <summary>A line fed on the standard input of an exec that runs a shell.</summary>
    public const string Stdin = "fed on stdin";
}
