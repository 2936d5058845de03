# slipway_target_defaults(TARGET): the warning set and options every Slipway target shares.
function(slipway_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
    # Designated initializers name only the fields that differ from their defaults, on purpose.
    -Wno-missing-field-initializers)
  # Boost.Asio/Beast: one configuration everywhere, no deprecated interfaces.
  target_compile_definitions(${target} PRIVATE BOOST_ASIO_NO_DEPRECATED)
endfunction()
