# cooplink_proto_library(<target> ROOT <dir> PROTOS <relative paths...> [DEPS <targets>] [GRPC])
# Compiles protos keeping their relative paths, so generated headers are included as
# "cooplink/membership/v1/membership.grpc.pb.h". Generated code lives only in the build tree.
set(COOPLINK_PROTO_OUT ${CMAKE_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${COOPLINK_PROTO_OUT})

function(cooplink_proto_library target)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" base ${proto})
    set(outs ${COOPLINK_PROTO_OUT}/${base}.pb.cc ${COOPLINK_PROTO_OUT}/${base}.pb.h)
    set(grpc_args)
    if(ARG_GRPC)
      list(APPEND outs ${COOPLINK_PROTO_OUT}/${base}.grpc.pb.cc ${COOPLINK_PROTO_OUT}/${base}.grpc.pb.h
                       ${COOPLINK_PROTO_OUT}/${base}_mock.grpc.pb.h)
      set(grpc_args --grpc_out=generate_mock_code=true:${COOPLINK_PROTO_OUT}
                    --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc
        -I${CMAKE_SOURCE_DIR}/protos -I${GOOGLEAPIS_PROTO_DIR} -I${GRPC_PROTO_DIR} -I${Protobuf_INCLUDE_DIR}
        --cpp_out=${COOPLINK_PROTO_OUT} ${grpc_args}
        ${ARG_ROOT}/${proto}
      DEPENDS ${ARG_ROOT}/${proto} protobuf::protoc
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(FILTER outs INCLUDE REGEX "\\.cc$")
    list(APPEND srcs ${outs})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC ${COOPLINK_PROTO_OUT})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})
endfunction()
