//! One evaluator per smithy-diff `DiffEvaluator` (plus the AWS modules' `SigV4Migration` and
//! `EndpointSigV4Migration`), each a function from [`Differences`] to events.
use super::{Differences, Event};

mod added_entity_binding;
mod added_metadata;
mod added_operation_error;
mod added_required_member;
mod added_service_error;
mod added_shape;
mod added_trait_definition;
mod changed_default;
mod changed_enum_trait;
mod changed_length_trait;
mod changed_member_order;
mod changed_member_target;
mod changed_metadata;
mod changed_nullability;
mod changed_operation_input;
mod changed_operation_output;
mod changed_range_trait;
mod changed_resource_identifiers;
mod changed_shape_type;
mod endpoint_sigv4_migration;
mod modified_trait;
mod removed_authentication_scheme;
mod removed_entity_binding;
mod removed_metadata;
mod removed_operation_error;
mod removed_service_error;
mod removed_shape;
mod removed_trait_definition;
mod service_rename;
mod sigv4_migration;
mod trait_breaking_change;

/// An evaluator: reads the differences, appends events.
pub type Evaluator = fn(&Differences<'_>, &mut Vec<Event>);

/// Every evaluator with its rule id (the first segment of the event ids it emits; the binding
/// evaluators emit `Added/RemovedOperationBinding` and `Added/RemovedResourceBinding`).
pub const ALL: [(&str, Evaluator); 31] = [
    ("AddedEntityBinding", added_entity_binding::evaluate),
    ("AddedMetadata", added_metadata::evaluate),
    ("AddedOperationError", added_operation_error::evaluate),
    ("AddedRequiredMember", added_required_member::evaluate),
    ("AddedServiceError", added_service_error::evaluate),
    ("AddedShape", added_shape::evaluate),
    ("AddedTraitDefinition", added_trait_definition::evaluate),
    ("ChangedDefault", changed_default::evaluate),
    ("ChangedEnumTrait", changed_enum_trait::evaluate),
    ("ChangedLengthTrait", changed_length_trait::evaluate),
    ("ChangedMemberOrder", changed_member_order::evaluate),
    ("ChangedMemberTarget", changed_member_target::evaluate),
    ("ChangedMetadata", changed_metadata::evaluate),
    ("ChangedNullability", changed_nullability::evaluate),
    ("ChangedOperationInput", changed_operation_input::evaluate),
    ("ChangedOperationOutput", changed_operation_output::evaluate),
    ("ChangedRangeTrait", changed_range_trait::evaluate),
    ("ChangedResourceIdentifiers", changed_resource_identifiers::evaluate),
    ("ChangedShapeType", changed_shape_type::evaluate),
    ("ModifiedTrait", modified_trait::evaluate),
    ("RemovedAuthenticationScheme", removed_authentication_scheme::evaluate),
    ("RemovedEntityBinding", removed_entity_binding::evaluate),
    ("RemovedMetadata", removed_metadata::evaluate),
    ("RemovedOperationError", removed_operation_error::evaluate),
    ("RemovedServiceError", removed_service_error::evaluate),
    ("RemovedShape", removed_shape::evaluate),
    ("RemovedTraitDefinition", removed_trait_definition::evaluate),
    ("ServiceRename", service_rename::evaluate),
    ("TraitBreakingChange", trait_breaking_change::evaluate),
    ("SigV4Migration", sigv4_migration::evaluate),
    ("EndpointSigV4Migration", endpoint_sigv4_migration::evaluate),
];

pub fn run_all(d: &Differences<'_>, out: &mut Vec<Event>) {
    for (_, evaluate) in ALL {
        evaluate(d, out);
    }
}
