/* Intentionally empty: the real library comes from the system (see meson.build). */
typedef int mediasoup_system_dep_shim;
