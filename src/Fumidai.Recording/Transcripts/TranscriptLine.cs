namespace Fumidai.Recording.Transcripts;

/// <summary>One line of a transcript: when it first appeared (offset into the recording) and its text.</summary>
public readonly record struct TranscriptLine(TimeSpan Time, string Text);
