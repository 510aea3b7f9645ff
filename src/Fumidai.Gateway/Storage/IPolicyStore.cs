using Fumidai.Gateway.Policy;
using Fumidai.Gateway.Targets;

namespace Fumidai.Gateway.Storage;

/// <summary>What access decisions read: the targets and the roles that grant them.</summary>
public interface IPolicyStore
{
    Task<IReadOnlyList<TargetRecord>> ListTargetsAsync(CancellationToken cancellationToken = default);

    Task<TargetRecord?> GetTargetAsync(string name, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AccessRole>> ListRolesAsync(CancellationToken cancellationToken = default);
}
