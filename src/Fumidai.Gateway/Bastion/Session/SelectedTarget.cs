using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Bastion.Session;

/// <summary>Where a session goes, as chosen and allowed: the target, the login on it, and the policy that allowed it.</summary>
internal sealed record SelectedTarget(TargetRecord Target, string Login, AccessPolicy Policy);
