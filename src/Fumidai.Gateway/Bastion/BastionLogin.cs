using Fumidai.Gateway.Identity;

namespace Fumidai.Gateway.Bastion;

/// <summary>What authentication established about an operator: the person, the requested target, the factors used.</summary>
public sealed record BastionLogin(UserRecord User, LoginName Name, string FirstFactor, string? KeyFingerprint);
