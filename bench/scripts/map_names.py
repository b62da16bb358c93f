"""Checks docs/ARCHITECTURE.md (issue 16): every backticked class name outside code blocks is a class of the repo
(JDK and Vulkan names are listed as missing: read them), every path exists, every main package of core/gpu/server
is in the map. Usage from the repository root: python3 bench/scripts/map_names.py"""
import re,subprocess,os
doc=re.sub(r'```.*?```','',open('docs/ARCHITECTURE.md').read(),flags=re.S)
files=subprocess.run(['git','ls-files'],capture_output=True,text=True).stdout.split()
base={os.path.splitext(os.path.basename(f))[0] for f in files}|{os.path.basename(f) for f in files}
src='\n'.join(open(f,errors='ignore').read() for f in files if f.endswith('.java'))
dirs={d for f in files for d in [os.path.dirname(f)]}
names=set(re.findall(r'`([^`\n]+)`',doc))
bad=[]
for n in sorted(names):
    for tok in re.split(r'[ ,()/]+',n):
        tok=tok.strip('.')
        if re.fullmatch(r'[A-Z][A-Za-z0-9_]+(\.[A-Za-z][A-Za-z0-9_]*)*',tok):
            cls=tok.split('.')[0]
            if cls not in base and not re.search(r'\b(class|record|enum|interface)\s+'+cls+r'\b',src): bad.append(('class',tok))
            elif '.' in tok and not re.search(r'\b'+tok.split('.')[1]+r'\b',src): bad.append(('member',tok))
        elif re.fullmatch(r'[a-z]+\.[A-Z][A-Za-z0-9]+(\.[a-z][A-Za-z]+)?',tok):  # pkg.Class
            pkg,cls=tok.split('.')[:2]
            if not any(f.endswith('/'+pkg+'/'+cls+'.java') for f in files): bad.append(('pkg.Class',tok))
        elif '/' in n or re.fullmatch(r'[\w.-]+\.(java|glsl|md|yaml|c|sh)',tok):
            pass
# paths
for n in names:
    if re.fullmatch(r'[\w./-]+/[\w./-]+',n) and not n.startswith('$') and not n.startswith('/'):
        if n.rstrip('/') not in files and n.rstrip('/') not in dirs and not os.path.exists(n): bad.append(('path',n))
    if re.fullmatch(r'[\w-]+\.(glsl|java|yaml)',n) and n not in base: bad.append(('file',n))
print(len(names),'backticked names;', 'missing:',bad)
# packages: every package under core/server listed?
pk=set()
for f in files:
    m=re.match(r'(core|server|gpu)/src/main/java/dev/hearth/(.*)/[^/]+\.java',f)
    if m: pk.add((m.group(1),m.group(2).replace('/','.')))
for mod,p in sorted(pk):
    short=p.replace('server.','',1) if mod=='server' else p
    if '`'+short+'`' not in doc: print('package not in map:',mod,p)
