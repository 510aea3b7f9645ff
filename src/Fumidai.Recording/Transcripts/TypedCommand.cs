namespace Fumidai.Recording.Transcripts;

/// <summary>A command the operator ran: when Enter was pressed (offset into the recording) and the command line as the screen showed it.</summary>
public readonly record struct TypedCommand(TimeSpan Time, string Command);
