"""File-level dependency cycles (issue 16). Usage, after mvn -DskipTests compile of core, gpu and server:
  for m in core gpu server; do jdeps -verbose:class -filter:none --multi-release 25 --add-modules jdk.incubator.vector \
    -cp core/target/classes:gpu/target/classes $m/target/classes; done > /tmp/jdeps.txt; python3 bench/scripts/file_cycles.py /tmp/jdeps.txt
Prints each group of source files (nested classes count as their file) that depend on each other, with the edges."""
import re,sys,collections
edges=collections.defaultdict(set)
for line in open(sys.argv[1]):
    m=re.match(r'\s+(dev\.hearth\.\S+)\s+->\s+(dev\.hearth\.\S+)',line)
    if not m: continue
    a,b=[x.split('$')[0] for x in m.groups()]   # nested classes belong to their file
    if a!=b: edges[a].add(b)
# Tarjan SCC
idx={};low={};st=[];on=set();out=[];c=[0]
sys.setrecursionlimit(100000)
def sc(v):
    idx[v]=low[v]=c[0];c[0]+=1;st.append(v);on.add(v)
    for w in edges.get(v,()):
        if w not in idx: sc(w);low[v]=min(low[v],low[w])
        elif w in on: low[v]=min(low[v],idx[w])
    if low[v]==idx[v]:
        comp=[]
        while True:
            w=st.pop();on.discard(w);comp.append(w)
            if w==v:break
        if len(comp)>1: out.append(sorted(comp))
for v in list(edges):
    if v not in idx: sc(v)
print(len(edges),"files,",len(out),"file cycles (strongly connected groups)")
for comp in sorted(out,key=len):
    print(len(comp),comp)
for comp in sorted(out,key=len):
    s=set(comp)
    print('--', ' '.join(f"{a.split('.')[-1]}->{b.split('.')[-1]}" for a in comp for b in sorted(edges[a]) if b in s))
