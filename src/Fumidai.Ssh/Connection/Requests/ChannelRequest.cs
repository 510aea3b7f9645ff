namespace Fumidai.Ssh.Connection.Requests;

/// <summary>A channel request (RFC 4254 §5.4, §6); the subtype says which one.</summary>
public abstract record ChannelRequest(string Type, bool WantReply);

/// <summary><c>pty-req</c>: allocate a terminal (RFC 4254 §6.2).</summary>
public sealed record PtyRequest(bool WantReply, string Term, uint Columns, uint Rows, uint WidthPixels, uint HeightPixels, TerminalModes Modes)
    : ChannelRequest("pty-req", WantReply);

/// <summary><c>env</c>: set an environment variable (RFC 4254 §6.4).</summary>
public sealed record EnvRequest(bool WantReply, string Name, string Value) : ChannelRequest("env", WantReply);

/// <summary><c>shell</c>: start the user's shell (RFC 4254 §6.5).</summary>
public sealed record ShellRequest(bool WantReply) : ChannelRequest("shell", WantReply);

/// <summary><c>exec</c>: run one command (RFC 4254 §6.5).</summary>
public sealed record ExecRequest(bool WantReply, string Command) : ChannelRequest("exec", WantReply);

/// <summary><c>subsystem</c>: start a named subsystem such as sftp (RFC 4254 §6.5).</summary>
public sealed record SubsystemRequest(bool WantReply, string Name) : ChannelRequest("subsystem", WantReply);

/// <summary><c>window-change</c>: the terminal was resized (RFC 4254 §6.7).</summary>
public sealed record WindowChangeRequest(uint Columns, uint Rows, uint WidthPixels, uint HeightPixels) : ChannelRequest("window-change", false);

/// <summary><c>signal</c>: deliver a signal such as INT (RFC 4254 §6.9), name without the SIG prefix.</summary>
public sealed record SignalRequest(string Name) : ChannelRequest("signal", false);

/// <summary><c>break</c>: send a BREAK of the given length (RFC 4335).</summary>
public sealed record BreakRequest(bool WantReply, uint LengthMilliseconds) : ChannelRequest("break", WantReply);

/// <summary><c>exit-status</c>: the remote command exited (RFC 4254 §6.10).</summary>
public sealed record ExitStatusRequest(uint ExitStatus) : ChannelRequest("exit-status", false);

/// <summary><c>exit-signal</c>: the remote command was killed by a signal (RFC 4254 §6.10).</summary>
public sealed record ExitSignalRequest(string SignalName, bool CoreDumped, string ErrorMessage) : ChannelRequest("exit-signal", false);

/// <summary><c>eow@openssh.com</c>: the peer will not write any more to the channel, but still reads.</summary>
public sealed record EndOfWriteRequest() : ChannelRequest("eow@openssh.com", false);

/// <summary>Agent or X11 forwarding requests; surfaced so the application can refuse and audit them.</summary>
public sealed record ForwardingChannelRequest(string Type, bool WantReply) : ChannelRequest(Type, WantReply);

/// <summary>Any request type this implementation does not parse.</summary>
public sealed record UnknownChannelRequest(string Type, bool WantReply) : ChannelRequest(Type, WantReply);
