# Turns JVM class-loading logs (-Xlog:class+load=debug) into the classlist lines of the classes Flink's
# RPC system (Pekko, Scala) loads from flink-rpc-akka.jar. Flink extracts that jar from lib/ to a new
# temporary file at every start and loads it with a class loader of its own, so a class list can name
# these classes only in this form: an id per class, its super class and interfaces by id, and the jar
# to read it from at dump time (RPC_JAR, relative to the directory dump-archive.sh runs the dump in).
# At run time the JVM uses an archived class for a class loader of its own when the name, size and
# checksum of the class file match, wherever the jar is.
#
# Usage: awk -v RPC_JAR=PATH -f rpc-classes.awk LOG...
# Output: "name id: N" lines for the classes of the builtin loaders the RPC classes extend, then one
# line per RPC class, each after its super class and interfaces (the order the JVM loaded them).

# Lines are decorated with the thread's id only (-Xlog:...:tid): threads load classes concurrently,
# and a class's two lines are the same thread's consecutive lines. Without the decoration, the info
# line is "NAME source: WHERE", the debug line "klass: ADDRESS super: ADDRESS interfaces: ADDRESS...
# loader: ...".
{ thread = $1; sub(/^\[[^]]*\] */, ""); $0 = $0 }
$2 == "source:" {
  name_of[thread] = $1; gsub(/\./, "/", name_of[thread])
  from_rpc_jar[thread] = $3 ~ /^file:.*\/flink-rpc-akka[^\/]*\.jar$/
  next
}
$1 == "klass:" {
  name = name_of[thread]
  # The same name can be loaded from lib/ and from the RPC jar: references keep the loader.
  class_at[$2] = (from_rpc_jar[thread] ? "rpc " : "builtin ") name
  if (!from_rpc_jar[thread] || name in rpc_id) next
  references = ""
  for (i = 3; i <= NF && $i != "loader:"; i++) {
    if ($i == "super:") references = $(i + 1)
    if ($i == "interfaces:") for (j = i + 1; $j ~ /^0x/; j++) references = references " " $j
  }
  n = split(references, addresses, " ")
  references = ""
  for (k = 1; k <= n; k++) {
    # JFR's event classes (netty's allocator events) extend classes it redefines, which the log
    # does not name and an archive cannot hold; their subclasses follow them out.
    if (!(addresses[k] in class_at)) next
    split(class_at[addresses[k]], referenced, " ")
    if (referenced[1] == "rpc" && !(referenced[2] in rpc_id)) next
    references = references " " class_at[addresses[k]]
  }
  rpc_id[name] = ++count
  rpc_order[count] = name
  rpc_references[name] = references
}
END {
  next_id = count
  for (c = 1; c <= count; c++) {
    n = split(rpc_references[rpc_order[c]], referenced, " ")
    for (k = 1; k <= n; k += 2) {
      if (referenced[k] == "builtin" && !(referenced[k + 1] in builtin_id)) {
        builtin_id[referenced[k + 1]] = ++next_id
        print referenced[k + 1] " id: " next_id
      }
    }
  }
  for (c = 1; c <= count; c++) {
    name = rpc_order[c]
    n = split(rpc_references[name], referenced, " ")
    line = name " id: " rpc_id[name] " super: " id_of(referenced[1], referenced[2])
    if (n > 2) line = line " interfaces:"
    for (k = 3; k <= n; k += 2) line = line " " id_of(referenced[k], referenced[k + 1])
    print line " source: " RPC_JAR
  }
}
function id_of(loader, class_name) {
  return loader == "rpc" ? rpc_id[class_name] : builtin_id[class_name]
}
