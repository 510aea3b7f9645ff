namespace Fumidai.Recording.Transcripts;

/// <summary>A command the operator ran: when Enter was pressed (offset into the recording), the command line, and why it is
/// listed from the keys rather than from the screen (null when it was shown at a prompt; see <see cref="CommandMarks"/>).</summary>
public readonly record struct TypedCommand(TimeSpan Time, string Command, string? Mark = null);
