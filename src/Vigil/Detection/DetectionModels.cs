using Vigil.Models;

namespace Vigil.Detection;

/// <summary>The models a detector scores with: one that decides with the rules, and optionally one in shadow, scored and reported only.</summary>
public sealed record DetectionModels(Model Primary, Model? Shadow = null);
